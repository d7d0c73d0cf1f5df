import type { SqlDatabase } from '@causeway/core';

/**
 * Counts the statements `work` runs. On a database shared by several instances the server also reads the
 * change-log head and the stored schema on timers; those background reads are not the request's and are left out.
 */
export async function countStatements<T>(db: SqlDatabase, work: () => Promise<T>): Promise<{ statements: number; result: T }> {
  let statements = 0;
  db.onStatement((sql) => {
    if (!/"_changes"|"_collections"/.test(sql)) statements++;
  });
  try {
    const result = await work();
    return { statements, result };
  } finally {
    db.onStatement(undefined);
  }
}
