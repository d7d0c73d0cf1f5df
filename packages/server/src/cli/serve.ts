import { createServer } from '../app.js';
import type { Config } from '../config/config.js';
import { serverVersion } from '../version.js';

export interface ServeOptions {
  /** Standard output is a terminal: a person reads it, so the start-up line is plain text, not JSON. */
  terminal: boolean;
}

/** Why listening failed, in words that say what to do; other errors are passed on as they are. */
function listenProblem(error: unknown, config: Config): Error | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host}:${config.port}`;
  const choose = 'Choose another port with --port <number> or CAUSEWAY_PORT=<number> (0 picks a free one).';
  if (code === 'EADDRINUSE') return new Error(`Port ${config.port} is already in use (${where}): another Causeway or another program is listening there. ${choose}`);
  if (code === 'EACCES') return new Error(`Not allowed to listen on port ${config.port} (${where}): ports below 1024 need privileges. ${choose}`);
  if (code === 'EADDRNOTAVAIL') return new Error(`Cannot listen on ${where}: this machine has no such address. Choose another with --host or CAUSEWAY_HOST.`);
  return undefined;
}

/** The address a person can open: a wildcard host is reached as localhost. */
function browsable(address: string): string {
  return address.replace(/^http:\/\/(0\.0\.0\.0|\[::\])(?=:)/, 'http://localhost');
}

/** Starts the server and stops it cleanly on SIGTERM/SIGINT: no new connections, in-flight requests finish. */
export async function serve(config: Config, { terminal }: ServeOptions): Promise<void> {
  const server = await createServer({ config });
  let address: string;
  // On a terminal the plain line below stands instead of Fastify's own JSON "Server listening at" entry.
  const level = server.app.log.level;
  if (terminal && ['trace', 'debug', 'info'].includes(level)) server.app.log.level = 'warn';
  try {
    address = await server.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await server.close();
    throw listenProblem(error, config) ?? error;
  } finally {
    server.app.log.level = level;
  }
  const base = browsable(address);
  if (terminal) {
    const consoleUrl = server.app.hasRoute({ method: 'GET', url: '/_' }) ? `${base}/_/` : 'not built (npm run build)';
    // The password in a database URL stays out of the terminal.
    const data = config.db.kind === 'postgres' ? `PostgreSQL ${new URL(config.db.url).host}` : config.dataDir;
    process.stdout.write(`Causeway ${serverVersion} is running at ${base} | admin console: ${consoleUrl} | API reference: ${base}/api/docs | data: ${data} | Ctrl+C stops it\n`);
  } else {
    server.app.log.info({ address, dataDir: config.dataDir }, `Causeway listening on ${address} (admin console: ${base}/_/, API reference: ${address}/api/docs)`);
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      server.app.log.info({ signal }, 'shutting down');
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      server.close().then(resolve, (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
