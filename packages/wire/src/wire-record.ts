/** A record as clients see it: system fields, declared fields, and expanded relations when asked for. */
export interface WireRecord {
  id: string;
  created: string;
  updated: string;
  expand?: Record<string, WireRecord | WireRecord[]>;
  [field: string]: unknown;
}
