import { createServer } from '../app.js';
import type { Config } from '../config/config.js';

/** Starts the server and stops it cleanly on SIGTERM/SIGINT: no new connections, in-flight requests finish. */
export async function serve(config: Config): Promise<void> {
  const server = await createServer({ config });
  const address = await server.app.listen({ host: config.host, port: config.port });
  server.app.log.info({ address, dataDir: config.dataDir }, `Causeway listening on ${address} (API reference: ${address}/api/docs)`);
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
