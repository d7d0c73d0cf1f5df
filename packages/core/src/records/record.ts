import type { WireRecord } from '@causeway/wire';

/** A record as clients see it: system fields, declared fields, and expanded relations when asked for. */
export type CausewayRecord = WireRecord;

/** A single record with the version its ETag is made from. */
export interface VersionedRecord {
  record: CausewayRecord;
  version: number;
  /** The change-log position of the write that produced it (writes only). */
  seq?: number;
}
