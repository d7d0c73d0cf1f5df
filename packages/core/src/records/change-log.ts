import type { ChangeEvent, ChangeOperation } from '../events/change-event.js';
import type { SqlExecutor } from '../sql/sql-database.js';
import type { SqlTemplate } from '../sql/sql-template.js';
import type { CausewayRecord } from './record.js';

export const changeLogTable = '_changes';

/**
 * Appends one entry inside the write's transaction and returns the event to publish after commit.
 * The entry and the record change commit together or not at all.
 */
export async function appendChange(
  tx: SqlExecutor,
  s: SqlTemplate,
  collection: string,
  op: ChangeOperation,
  record: CausewayRecord,
  at: string,
): Promise<ChangeEvent> {
  const { text, params } = s.q`INSERT INTO ${s.id(changeLogTable)} (collection, record_id, op, record, created)
    VALUES (${collection}, ${record.id}, ${op}, ${JSON.stringify(record)}, ${at}) RETURNING seq`;
  const row = await tx.get(text, params);
  return { seq: Number(row?.seq), collection, recordId: record.id, op, record, at };
}
