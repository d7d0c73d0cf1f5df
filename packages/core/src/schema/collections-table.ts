import type { SqlExecutor } from '../sql/sql-database.js';
import type { SqlTemplate } from '../sql/sql-template.js';
import type { Collection } from './collection.js';

/** The system table that stores collection definitions as JSON, one row each. */
export const collectionsTable = '_collections';

export async function loadCollections(executor: SqlExecutor, s: SqlTemplate): Promise<Collection[]> {
  const { text, params } = s.q`SELECT definition FROM ${s.id(collectionsTable)} ORDER BY name`;
  const rows = await executor.all(text, params);
  return rows.map((row) => (typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition) as Collection);
}

export async function saveCollection(tx: SqlExecutor, s: SqlTemplate, collection: Collection): Promise<void> {
  const definition = JSON.stringify(collection);
  const { text, params } = s.q`INSERT INTO ${s.id(collectionsTable)} (id, name, definition) VALUES (${collection.id}, ${collection.name}, ${definition})
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition`;
  await tx.run(text, params);
}

export async function deleteCollectionRow(tx: SqlExecutor, s: SqlTemplate, id: string): Promise<void> {
  const { text, params } = s.q`DELETE FROM ${s.id(collectionsTable)} WHERE id = ${id}`;
  await tx.run(text, params);
}
