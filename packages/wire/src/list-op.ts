import type { WireRecord } from './wire-record.js';

/**
 * One step that turns a live query's list into the next result; positions are into the list as it is then.
 * Clients apply them in order (`applyOps` in @causeway/client).
 */
export type ListOp<T = WireRecord> =
  | { op: 'remove'; index: number; id: string }
  | { op: 'insert'; index: number; record: T }
  | { op: 'move'; from: number; to: number; id: string }
  | { op: 'update'; index: number; record: T };
