import type { SqlDatabase } from '../sql/sql-database.js';

/** Creates the system tables, or brings those of an earlier version up to date; idempotent. */
export async function prepareDatabase(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    for (const statement of db.ddl.bootstrap()) await tx.run(statement);
    await db.ddl.upgrade(tx);
  });
  // Entries a stopped writer committed but never saw numbered get their positions before anyone reads the log.
  await db.positions?.assign([]);
}
