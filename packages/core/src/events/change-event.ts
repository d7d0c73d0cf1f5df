import type { CausewayRecord } from '../records/record.js';

export type ChangeOperation = 'create' | 'update' | 'delete';

/** One committed write, as stored in the change log and published on the bus. */
export interface ChangeEvent {
  /** Position in the change log: strictly increasing in commit order. */
  seq: number;
  collection: string;
  recordId: string;
  op: ChangeOperation;
  /** The record after the write; for a delete, the record as it was. */
  record: CausewayRecord;
  /** The record before the write (null for a create): realtime tells "left your view" from "changed". */
  previous: CausewayRecord | null;
  /**
   * The version `record` has (a delete: had); `previous`, of an update, had the one before. Absent from entries
   * logged before versions were.
   */
  version?: number;
  at: string;
}
