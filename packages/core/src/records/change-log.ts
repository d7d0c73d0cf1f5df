import type { ChangeEvent, ChangeOperation } from '../events/change-event.js';
import type { ChangePositions, SqlExecutor } from '../sql/sql-database.js';
import type { SqlTemplate } from '../sql/sql-template.js';
import type { CausewayRecord } from './record.js';

export const changeLogTable = '_changes';

/**
 * Appends one entry inside the write's transaction and returns the event to publish after commit.
 * The entry and the record change commit together or not at all. With `positions` (parallel writers) the entry
 * waits in the pending table and the event's `seq` is its draw until `assignPositions` has run after commit.
 */
export async function appendChange(
  tx: SqlExecutor,
  s: SqlTemplate,
  positions: ChangePositions | undefined,
  collection: string,
  op: ChangeOperation,
  record: CausewayRecord,
  previous: CausewayRecord | null,
  at: string,
  version: number,
): Promise<ChangeEvent> {
  const before = previous === null ? null : JSON.stringify(previous);
  const table = s.id(positions?.pendingTable ?? changeLogTable);
  const returned = positions ? 'draw' : 'seq';
  const { text, params } = s.q`INSERT INTO ${table} (collection, record_id, op, record, previous, created, version)
    VALUES (${collection}, ${record.id}, ${op}, ${JSON.stringify(record)}, ${before}, ${at}, ${version}) RETURNING ${s.id(returned)}`;
  const row = await tx.get(text, params);
  return { seq: Number(row?.[returned]), collection, recordId: record.id, op, record, previous, at, version };
}

/** Gives committed events their change-log positions, in place (nothing to do where positions come at insert). */
export async function assignPositions(positions: ChangePositions | undefined, events: readonly ChangeEvent[]): Promise<void> {
  if (!positions || events.length === 0) return;
  const seqs = await positions.assign(events.map((event) => event.seq));
  events.forEach((event, i) => {
    event.seq = seqs[i]!;
  });
}

/** A change-log row as the database returns it, back as the event it was published as. */
export function changeFromRow(row: Record<string, unknown>): ChangeEvent {
  const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as CausewayRecord;
  return {
    seq: Number(row.seq),
    collection: String(row.collection),
    recordId: String(row.record_id),
    op: row.op as ChangeEvent['op'],
    record: parse(row.record),
    previous: row.previous === null || row.previous === undefined ? null : parse(row.previous),
    at: String(row.created),
    ...(row.version === null || row.version === undefined ? {} : { version: Number(row.version) }),
  };
}
