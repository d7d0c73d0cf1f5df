import path from 'node:path';
import postgres from 'postgres';

/**
 * The PostgreSQL the suite runs against when the `postgres` test project sets CAUSEWAY_TEST_DATABASE_URL
 * (see vitest.config.ts); unset, tests use a SQLite file in their data directory.
 */
export const testPostgresUrl = process.env.CAUSEWAY_TEST_DATABASE_URL;
export const onPostgres = testPostgresUrl !== undefined;

/** One schema per data directory, so a test that restarts a server on its directory finds its data again. */
export function testSchemaName(dataDir: string): string {
  return `cw_${process.env.CAUSEWAY_TEST_RUN ?? 'run'}_${path.basename(dataDir).replace(/[^A-Za-z0-9]/g, '_').toLowerCase()}`;
}

/** Configuration flags that put a test server's records where this project keeps them. */
export function testDatabaseFlags(dataDir: string): { databaseUrl?: string } {
  return testPostgresUrl ? { databaseUrl: postgresUrlWithSchema(testPostgresUrl, testSchemaName(dataDir)) } : {};
}

/** The same, as the environment of a `causeway` command run on a test server's data. */
export function testDatabaseEnv(dataDir: string): Record<string, string> {
  const { databaseUrl } = testDatabaseFlags(dataDir);
  return databaseUrl ? { CAUSEWAY_DATABASE_URL: databaseUrl } : {};
}

export function postgresUrlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

/** Drops what a test server made in PostgreSQL; nothing to do for SQLite (the directory goes). */
export async function dropTestDatabase(dataDir: string): Promise<void> {
  if (testPostgresUrl) await dropSchema(testPostgresUrl, testSchemaName(dataDir));
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await sql.end();
  }
}
