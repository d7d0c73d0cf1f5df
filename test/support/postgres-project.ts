import { serviceAvailable } from './services.js';

/** The PostgreSQL this project's machines run (trust authentication); the suite makes its own schemas in `test`. */
export const testPostgresServer = process.env.CAUSEWAY_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the suite runs a second time on PostgreSQL: always under CI, elsewhere when the server answers. */
export async function postgresProjectEnabled(): Promise<boolean> {
  const url = new URL(testPostgresServer);
  return serviceAvailable('PostgreSQL (the whole suite on PostgreSQL)', url.hostname, Number(url.port || 5432));
}
