import type { CausewayRecord } from '../records/record.js';

/**
 * A live query's result as held in memory: the first `limit` matching records in sort order, and whether they
 * are all the matching records there are (`complete`; false means more may exist beyond the last).
 */
export interface LiveWindow {
  readonly items: readonly CausewayRecord[];
  readonly complete: boolean;
}

/** One record's change as it concerns a window: its id, and its image after the change when it matches then. */
export interface WindowChange {
  readonly id: string;
  /** The record as the subscribers see it, when it matches the query after the change; null when it does not. */
  readonly after: CausewayRecord | null;
}

/**
 * The window after `change`, or `refill` when memory cannot tell it and the query must run again. Exact because
 * the window holds the first matching records in a total order (the sort ends with `id`):
 * - the changed record leaves its place (if it had one) and takes its new one when it still matches;
 * - a record landing after the last item of a window that is not complete is beyond what is known (records the
 *   window never held may lie between), so it is left out;
 * - a window that grew past `limit` drops its last item, and is then not complete;
 * - a window that is not complete and holds fewer than `limit` items lost one it cannot replace from memory:
 *   refill.
 */
export function applyToWindow(window: LiveWindow, change: WindowChange, limit: number, order: (a: CausewayRecord, b: CausewayRecord) => number): LiveWindow | 'refill' {
  let complete = window.complete;
  const items = window.items.filter((item) => item.id !== change.id);
  if (change.after) {
    const at = insertionPoint(items, change.after, order);
    if (at < items.length || complete) {
      items.splice(at, 0, change.after);
      if (items.length > limit) {
        items.length = limit;
        complete = false;
      }
    }
  }
  if (!complete && items.length < limit) return 'refill';
  return { items, complete };
}

/** How many items sort before `record` (binary search: the items are sorted and the order is total). */
function insertionPoint(items: readonly CausewayRecord[], record: CausewayRecord, order: (a: CausewayRecord, b: CausewayRecord) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (order(items[middle]!, record) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
