import { CausewayError, isCausewayError, type FieldIssue } from '../errors/causeway-error.js';
import type { ChangeEvent } from '../events/change-event.js';
import type { EventBus } from '../events/event-bus.js';
import { assertSchemaCurrent, reloadRegistry, retryOnStaleSchema } from '../schema/schema-generation.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';
import { parseBatch, type BatchOperation } from './batch.js';
import { assignPositions } from './change-log.js';
import { expandRecords, parseExpand, type ExpandNode, type RecordsByIds } from './expand.js';
import type { ListPage, ListQuery, ReadOptions } from './list-query.js';
import type { CausewayRecord, VersionedRecord } from './record.js';
import { recordIdGenerator } from './record-ids.js';
import { RecordsReader } from './records-reader.js';
import { RecordsWriter, type CreateOptions, type WriteOptions } from './records-writer.js';
import { AccessRules } from '../rules/access-rules.js';
import type { Caller } from '../rules/caller.js';
import type { Condition, FilterNode } from '../query/index.js';
import type { Collection } from '../schema/collection.js';
import type { FileStorage } from '../files/file-storage.js';
import { WriteHooks } from '../hooks/record-hooks.js';
import { removedFileKeys } from '../files/removed-files.js';

export interface RecordsServiceDeps {
  db: SqlDatabase;
  schema: SchemaRegistry;
  bus: EventBus;
  /** Record id generator; defaults to lower-case ULIDs (URL-safe, time-sortable). */
  newRecordId?: () => string;
  /** The record hooks every write runs (extensions register them); none by default. */
  hooks?: WriteHooks;
  /** Where file fields' bytes live: files a committed write let go of are deleted there. */
  files?: { storage: FileStorage; onError(error: unknown): void };
}

/** A written result with its change-log position as the log holds it (see `write`). */
type Positioned = <R extends { seq?: number }>(written: R) => R;

export type BatchResult = { action: 'create' | 'update'; record: VersionedRecord } | { action: 'delete'; id: string };

/**
 * The one place records are read and written, whatever the surface (REST, GraphQL, realtime).
 * Each write runs in one transaction with its change-log entries; events are published after commit.
 */
export class RecordsService {
  private readonly reader: RecordsReader;
  private readonly writer: RecordsWriter;
  private readonly s: SqlTemplate;

  constructor(private readonly deps: RecordsServiceDeps) {
    this.s = sqlTemplate(deps.db.dialect);
    this.reader = new RecordsReader(deps.db, deps.schema, new AccessRules(deps.schema));
    this.newId = deps.newRecordId ?? recordIdGenerator();
    this.hooks = deps.hooks ?? new WriteHooks();
    this.writer = new RecordsWriter(deps.db, deps.schema, this.reader, this.newId, this.hooks);
  }

  /** The record hooks in force: before/after create, update and delete, run inside each write's transaction. */
  readonly hooks: WriteHooks;

  /** A fresh record id: uploads are stored under the id before the record is written. */
  readonly newId: () => string;

  /** The rules every surface is judged by (realtime evaluates them per subscriber). */
  get rules(): AccessRules {
    return this.reader.rules;
  }

  /** Records by id, whatever the rules: for following relations inside conditions, never for output. */
  relatedRecords(): RecordsByIds {
    return this.reader.byIds(this.deps.db);
  }

  /**
   * A client's filter as the condition it means for `caller`: hidden fields are unknown, and every relation hop
   * reaches only target records the caller may view. What realtime matches events with.
   */
  filterCondition(caller: Caller, collection: Collection, filter: string | FilterNode): Condition {
    return this.reader.filterCondition(caller, collection, filter);
  }

  /** `expand` paths as the tree `expand` follows; throws INVALID_QUERY when a path is not a chain of relations. */
  expansion(collection: Collection, paths: readonly string[]): ExpandNode[] {
    return parseExpand(paths, collection, this.deps.schema);
  }

  /**
   * Fills `expand` on client images exactly as a read by `caller` does (one load per relation per level, each
   * related record under its collection's view rule): what realtime events are expanded with. Mutates `records`.
   */
  expand(caller: Caller, records: readonly CausewayRecord[], nodes: readonly ExpandNode[]): Promise<void> {
    return this.read(() => expandRecords(records, nodes, this.reader.visibleByIds(this.deps.db, caller)));
  }

  list(caller: Caller, collection: string, query: ListQuery = {}): Promise<ListPage> {
    return this.read(() => this.reader.list(caller, collection, query));
  }

  /** Several records by id in one statement, under the view rule, with their versions: what GraphQL batches relations with. */
  getMany(caller: Caller, collection: string, ids: readonly string[]): Promise<Map<string, VersionedRecord>> {
    return this.read(() => this.reader.visibleMany(caller, this.reader.collection(collection), ids));
  }

  get(caller: Caller, collection: string, id: string, options?: ReadOptions): Promise<VersionedRecord> {
    return this.read(() => this.reader.get(caller, collection, id, options));
  }

  async create(caller: Caller, collection: string, data: unknown, options?: CreateOptions): Promise<VersionedRecord> {
    const { result, positioned } = await this.write((tx, events) => this.writer.create(tx, events, caller, collection, data, options));
    return positioned(result);
  }

  async update(caller: Caller, collection: string, id: string, data: unknown, options?: WriteOptions): Promise<VersionedRecord> {
    const { result, positioned } = await this.write((tx, events) => this.writer.update(tx, events, caller, collection, id, data, options));
    return positioned(result);
  }

  /** Sets fields Causeway owns (an account's `verified` or password hash), bypassing rules and read-only. */
  async updateSystem(collection: string, id: string, values: Readonly<Record<string, unknown>>): Promise<VersionedRecord> {
    const { result, positioned } = await this.write((tx, events) => this.writer.updateSystem(tx, events, collection, id, values));
    return positioned(result);
  }

  /** Resolves with the change-log position of the delete (cascades come before it). */
  async delete(caller: Caller, collection: string, id: string, options?: WriteOptions): Promise<{ seq: number }> {
    const { result, positioned } = await this.write(async (tx, events) => {
      await this.writer.delete(tx, events, caller, collection, id, options);
      return { seq: events.at(-1)!.seq };
    });
    return positioned(result);
  }

  /** Runs every operation in one transaction: all succeed, or none is kept and the first failure is thrown. */
  async batch(caller: Caller, body: unknown): Promise<BatchResult[]> {
    const operations = parseBatch(body);
    const { result, positioned } = await this.write(async (tx, events) => {
      const results: BatchResult[] = [];
      for (const [index, operation] of operations.entries()) {
        try {
          results.push(await this.apply(tx, events, caller, operation));
        } catch (error) {
          throw inOperation(this.explain(error), index);
        }
      }
      return results;
    });
    return result.map((done) => (done.action === 'delete' ? done : { ...done, record: positioned(done.record) }));
  }

  private async apply(tx: SqlExecutor, events: ChangeEvent[], caller: Caller, op: BatchOperation): Promise<BatchResult> {
    switch (op.action) {
      case 'create':
        return { action: 'create', record: await this.writer.create(tx, events, caller, op.collection, op.data) };
      case 'update':
        return { action: 'update', record: await this.writer.update(tx, events, caller, op.collection, op.id, op.data, pickIfMatch(op.ifMatch)) };
      case 'delete':
        await this.writer.delete(tx, events, caller, op.collection, op.id, pickIfMatch(op.ifMatch));
        return { action: 'delete', id: op.id };
    }
  }

  /**
   * Runs a write in one transaction, judged by the schema in force: if another instance changed the schema since
   * this one loaded it, the registry is brought up to date and the write validated and run again.
   */
  private async write<T>(work: (tx: SqlExecutor, events: ChangeEvent[]) => Promise<T>): Promise<{ result: T; positioned: Positioned }> {
    let events: ChangeEvent[] = [];
    let published: Promise<void> | undefined;
    let result: T;
    // Where positions are given after commit, what the work returned holds draws: each is mapped to its position.
    const positions = new Map<number, number>();
    try {
      result = await retryOnStaleSchema(this.deps.schema, () =>
        this.deps.db.transaction(
          async (tx) => {
            // Inside: a database running writers in parallel may run the work again after breaking a deadlock.
            events = [];
            await assertSchemaCurrent(tx, this.s, this.deps.schema);
            return work(tx, events);
          },
          // Published from onCommit, which runs in commit order: writes committed together publish in change-log order
          // (where positions are given after commit, once they have them).
          () => {
            const committed = events;
            const draws = committed.map((event) => event.seq);
            if (committed.length > 0) {
              published = assignPositions(this.deps.db.positions, committed).then(() => {
                committed.forEach((event, i) => positions.set(draws[i]!, event.seq));
                return this.deps.bus.publish(committed);
              });
            }
          },
          { concurrent: true },
        ),
      );
    } catch (error) {
      throw this.explain(error);
    }
    await published;
    if (events.length > 0 && this.deps.files) this.freeFiles(events, this.deps.files);
    const positioned: Positioned = (written) => (written.seq === undefined ? written : { ...written, seq: positions.get(written.seq) ?? written.seq });
    return { result, positioned };
  }

  /** Deletes the stored files a committed write let go of, in the background: the write has succeeded. */
  private freeFiles(events: readonly ChangeEvent[], files: NonNullable<RecordsServiceDeps['files']>): void {
    const keys = removedFileKeys(this.deps.schema, events);
    if (keys.length > 0) files.storage.delete(keys).catch(files.onError);
  }

  /**
   * Runs a read; one that failed in the database because another instance changed the schema under it (a
   * dropped column or table) runs again on the new schema instead of failing.
   */
  private async read<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      if (isCausewayError(error) || !(await reloadRegistry(this.deps.db, this.s, this.deps.schema))) throw error;
      return attempt();
    }
  }

  /** Turns a database constraint failure into the client error it stands for. */
  private explain(error: unknown): unknown {
    const failure = this.deps.db.classifyError(error);
    if (failure?.kind !== 'unique') return error;
    const fields: Record<string, FieldIssue> = {};
    for (const column of failure.columns) fields[column] = { code: 'unique', message: 'must be unique: another record has this value' };
    return new CausewayError('UNIQUE_VIOLATION', `A record in '${failure.table}' already has this ${failure.columns.join(', ')}.`, { fields, cause: error });
  }
}

function pickIfMatch(ifMatch: string | undefined): WriteOptions {
  return ifMatch === undefined ? {} : { ifMatch };
}

/** Points a batch failure at its operation: `operations.3.data.title`. */
function inOperation(error: unknown, index: number): unknown {
  if (!isCausewayError(error)) return error;
  const fields = error.fields
    ? Object.fromEntries(Object.entries(error.fields).map(([key, issue]) => [`operations.${index}.data.${key}`, issue]))
    : undefined;
  return new CausewayError(error.code, `Operation ${index} failed: ${error.message}`, {
    ...(fields ? { fields } : {}),
    extra: { ...error.extra, operation: index },
    cause: error,
  });
}
