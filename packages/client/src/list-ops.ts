import type { ListOp } from '@causeway/wire';

/** A step of a live query's diff, as the server sends it (docs/realtime.md). */
export type { ListOp };

export function applyOps<T>(list: readonly T[], ops: readonly ListOp<T>[]): T[] {
  const next = [...list];
  for (const op of ops) {
    if (op.op === 'remove') next.splice(op.index, 1);
    else if (op.op === 'insert') next.splice(op.index, 0, op.record);
    else if (op.op === 'move') next.splice(op.to, 0, ...next.splice(op.from, 1));
    else next[op.index] = op.record;
  }
  return next;
}
