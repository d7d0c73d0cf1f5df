import type { ListPage, ListQuery, ReadOptions } from '../records/list-query.js';
import type { CausewayRecord } from '../records/record.js';

/**
 * The records service as a hook sees it: bound to the write's transaction and to the caller who made the write,
 * so a hook's reads see the write so far, its writes are judged by the same rules, are in the change log, and
 * commit or roll back with the write. `asAdmin()` is the explicit way out of the caller's rules.
 */
export interface HookRecords {
  get(collection: string, id: string, options?: ReadOptions): Promise<CausewayRecord>;
  list(collection: string, query?: ListQuery): Promise<ListPage>;
  create(collection: string, data: Record<string, unknown>): Promise<CausewayRecord>;
  update(collection: string, id: string, data: Record<string, unknown>): Promise<CausewayRecord>;
  delete(collection: string, id: string): Promise<void>;
  /** The same transaction with admin rights: rules do not apply and read-only fields may be set. */
  asAdmin(): HookRecords;
}
