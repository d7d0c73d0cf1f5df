import type { ChangeEvent } from '../events/change-event.js';
import type { HookRecords } from '../hooks/hook-records.js';
import { systemCaller, type Caller } from '../rules/caller.js';
import type { SqlExecutor } from '../sql/sql-database.js';
import type { ListPage, ListQuery, ReadOptions } from './list-query.js';
import type { CausewayRecord } from './record.js';
import type { RecordsReader } from './records-reader.js';
import type { RecordsWriter } from './records-writer.js';

/**
 * The records service bound to one write transaction and one caller: what hooks are given. Writes append to
 * the transaction's change events, so they are published (and logged) exactly like the write that ran the hook.
 */
export class TransactionRecords implements HookRecords {
  constructor(
    private readonly writer: RecordsWriter,
    private readonly reader: RecordsReader,
    private readonly tx: SqlExecutor,
    private readonly events: ChangeEvent[],
    private readonly caller: Caller,
    private readonly depth: number,
  ) {}

  async get(collection: string, id: string, options?: ReadOptions): Promise<CausewayRecord> {
    return (await this.reader.get(this.caller, collection, id, options, this.tx)).record;
  }

  list(collection: string, query: ListQuery = {}): Promise<ListPage> {
    return this.reader.list(this.caller, collection, query, this.tx);
  }

  async create(collection: string, data: Record<string, unknown>): Promise<CausewayRecord> {
    return (await this.writer.create(this.tx, this.events, this.caller, collection, data, { hookDepth: this.depth })).record;
  }

  async update(collection: string, id: string, data: Record<string, unknown>): Promise<CausewayRecord> {
    return (await this.writer.update(this.tx, this.events, this.caller, collection, id, data, { hookDepth: this.depth })).record;
  }

  async delete(collection: string, id: string): Promise<void> {
    await this.writer.delete(this.tx, this.events, this.caller, collection, id, { hookDepth: this.depth });
  }

  asAdmin(): HookRecords {
    return new TransactionRecords(this.writer, this.reader, this.tx, this.events, systemCaller, this.depth);
  }
}
