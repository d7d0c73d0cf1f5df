import type { ListOp as WireListOp } from '@causeway/wire';
import type { CausewayRecord } from '../records/record.js';

/** One step that turns a client's list into the next result (the wire's list op). */
export type ListOp = WireListOp<CausewayRecord>;

/**
 * The steps from `before` to `after`, applied in order: removals from the end, then each position of `after`
 * filled by an insert or a move, then updates of records whose content changed.
 */
export function diffLists(before: readonly CausewayRecord[], after: readonly CausewayRecord[]): ListOp[] {
  const ops: ListOp[] = [];
  const keep = new Set(after.map((r) => r.id));
  const previous = new Map(before.map((r) => [r.id, r]));
  const current = before.map((r) => r.id);
  for (let i = current.length - 1; i >= 0; i--) {
    if (!keep.has(current[i]!)) {
      ops.push({ op: 'remove', index: i, id: current[i]! });
      current.splice(i, 1);
    }
  }
  after.forEach((record, index) => {
    const at = current.indexOf(record.id, index);
    if (at === -1) {
      ops.push({ op: 'insert', index, record });
      current.splice(index, 0, record.id);
      return;
    }
    if (at !== index) {
      ops.push({ op: 'move', from: at, to: index, id: record.id });
      current.splice(at, 1);
      current.splice(index, 0, record.id);
    }
    // The same object is the same content (a live query kept in memory keeps the records a change did not touch).
    const before = previous.get(record.id);
    if (before !== record && JSON.stringify(before) !== JSON.stringify(record)) ops.push({ op: 'update', index, record });
  });
  return ops;
}
