import postgres from 'postgres';
import { testPostgresServer } from './postgres-project.js';

/** Drops every schema this run made, including those of tests that kept their data for a restart. */
export default function setup(): () => Promise<void> {
  return async () => {
    const sql = postgres(testPostgresServer, { max: 1, onnotice: () => undefined });
    try {
      const run = process.env.CAUSEWAY_TEST_RUN ?? '';
      const schemas = await sql<{ name: string }[]>`SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE ${`cw_${run}_%`}`;
      for (const { name } of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    } finally {
      await sql.end();
    }
  };
}
