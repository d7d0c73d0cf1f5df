import net from 'node:net';

/**
 * Whether a test needing an outside service (Redis, PostgreSQL) runs: always under CI, where a missing service
 * must fail it; elsewhere only when the service answers, with a loud note when it does not.
 */
export async function serviceAvailable(name: string, host: string, port: number): Promise<boolean> {
  if (process.env.CI === 'true') return true;
  const up = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port, timeout: 500 }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
  if (!up) console.warn(`\n*** SKIPPING ${name} tests: nothing answers on ${host}:${port} ***\n`);
  return up;
}
