import postgres from 'postgres';
import { assertStorableParams, isCausewayError, type SqlDatabase, type SqlExecutor, type SqlRow, type StoreFailure, type TransactionOptions } from '@causeway/core';
import { storageFullError, unstorableValueError } from '../storage-errors.js';
import { WriteQueue } from '../write-queue.js';
import { writersLock, type AdvisoryLock } from './advisory-locks.js';
import { ChangeSequencer, type SequencerConnection } from './change-sequencer.js';
import { postgresDdl } from './postgres-ddl.js';
import { postgresDialect } from './postgres-dialect.js';
import { PreparedStatements } from './prepared-statements.js';

type Client = postgres.Sql<Record<string, never>>;
type Connection = Client | postgres.TransactionSql<Record<string, never>> | postgres.ReservedSql<Record<string, never>>;
type Param = postgres.ParameterOrJSON<never>;

export interface PostgresOptions {
  /** `postgres://user:pass@host:5432/db`; a `schema` query parameter picks the schema (default `public`). */
  url: string;
  /** Connections in the pool (default 10). */
  maxConnections?: number;
}

/**
 * Runs statements on the pool or inside a transaction. Outside transactions statements are prepared and cached
 * per connection by their text (as far as `PreparedStatements` admits them). Inside they are not: a schema change (this instance's or another's) changes what
 * `SELECT *` returns, PostgreSQL then refuses the cached statement ("cached plan must not change result type"),
 * and while postgres.js re-prepares and retries such a statement on its own, inside a transaction the refusal
 * has already aborted the transaction. Writes take the parse, and never fail that way.
 */
const prepared = { prepare: true };
const unprepared = { prepare: false };

class PostgresExecutor implements SqlExecutor {
  constructor(
    private readonly connection: Connection,
    private readonly notify: (sql: string) => void,
    /** Undefined inside a transaction: nothing is prepared there. */
    private readonly prepared: PreparedStatements | undefined,
  ) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<SqlRow[]> {
    return [...(await this.execute(sql, params))];
  }

  async get(sql: string, params: readonly unknown[] = []): Promise<SqlRow | undefined> {
    return (await this.execute(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return { changes: (await this.execute(sql, params)).count };
  }

  private async execute(sql: string, params: readonly unknown[]): Promise<postgres.RowList<SqlRow[]>> {
    this.notify(sql);
    assertStorableParams(params);
    try {
      return await this.connection.unsafe<SqlRow[]>(sql, params as Param[], this.prepared?.admits(sql) ? prepared : unprepared);
    } catch (error) {
      throw explainPostgresError(error);
    }
  }
}

/**
 * PostgreSQL's refusals that are not bugs, as the client errors they stand for (by SQLSTATE class): class 22
 * (data exception: a value its type cannot hold) and 54 (a program limit, such as an index row too large) come
 * from what the client sent; 53100 is a full disk. Anything else stays as it is (a unique violation is explained
 * by the records service, the rest is a 500).
 */
export function explainPostgresError(error: unknown): unknown {
  // Already explained (by the executor, inside the transaction that failed because of it).
  if (isCausewayError(error)) return error;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return error;
  if (code === '53100') return storageFullError(error);
  if (code.startsWith('22') || code.startsWith('54')) return unstorableValueError(error, String(message));
  return error;
}

/** Splits the `schema` parameter (Causeway's, not a server setting) off a connection URL. */
export function parsePostgresUrl(url: string): { url: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') || 'public';
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema };
}

/** Deadlock detected, serialization failure: the transaction was aborted and may simply run again. */
const retriedCodes = new Set(['40P01', '40001']);
const maxAttempts = 5;

/**
 * PostgreSQL through postgres.js, with a connection pool. Record writes (`concurrent` work) run in parallel,
 * on as many connections as the pool has, across every instance sharing the schema: each holds a shared
 * advisory lock and locks the rows it reads to change (so read-check-write steps — rules before and after,
 * ETags, relation targets, cascades — cannot interleave on one record), and appends its change-log entries
 * to the pending table, which the ChangeSequencer numbers in commit order after the commit. Every other write
 * (schema changes, accounts, settings) takes the advisory lock exclusively: it runs alone, as on SQLite, and is
 * queued in this process so waiting for that lock holds one connection, not many.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = postgresDialect;
  readonly ddl;
  readonly schema: string;
  private readonly client: Client;
  private readonly sequencing: Client;
  private readonly reader: PostgresExecutor;
  private readonly queue = new WriteQueue();
  private readonly writing = new Set<Promise<unknown>>();
  readonly positions: ChangeSequencer;
  private listener: ((sql: string) => void) | undefined;
  private readonly statementSeen = (sql: string) => this.listener?.(sql);

  constructor(options: PostgresOptions) {
    const { url, schema } = parsePostgresUrl(options.url);
    this.schema = schema;
    this.ddl = postgresDdl(schema);
    const settings = {
      onnotice: () => undefined,
      connection: { search_path: schema, application_name: 'causeway' },
      // COUNT(*), sequence numbers and versions are bigint; every one Causeway stores fits a double.
      types: { bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) } },
    };
    this.client = postgres(url, { ...settings, max: options.maxConnections ?? 10 }) as unknown as Client;
    // A connection of its own: every committed write waits for the sequencer, which must not queue for the pool
    // behind the writes still waiting to start.
    this.sequencing = postgres(url, { ...settings, max: 1 }) as unknown as Client;
    this.reader = new PostgresExecutor(this.client, this.statementSeen, new PreparedStatements());
    this.positions = new ChangeSequencer(this.sequencing as unknown as SequencerConnection, this.schema);
  }

  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]> {
    return this.reader.all(sql, params);
  }

  get(sql: string, params?: readonly unknown[]): Promise<SqlRow | undefined> {
    return this.reader.get(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return this.transaction((tx) => tx.run(sql, params));
  }

  /** One write per transaction (no group commit: concurrent writers let PostgreSQL flush their commits together). */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, onCommit?: (result: T) => void, options?: TransactionOptions): Promise<T> {
    const running = options?.concurrent ? this.attempt(work, onCommit, 'shared') : this.queue.run(() => this.attempt(work, onCommit, 'exclusive'));
    this.writing.add(running);
    void running.catch(() => undefined).finally(() => this.writing.delete(running));
    return running;
  }

  private async attempt<T>(work: (tx: SqlExecutor) => Promise<T>, onCommit: ((result: T) => void) | undefined, lock: 'shared' | 'exclusive'): Promise<T> {
    const take = writersLock(this.schema, lock);
    for (let attempt = 1; ; attempt++) {
      let result: T;
      try {
        result = await this.inTransaction(take, work);
      } catch (error) {
        // Only parallel writers can deadlock on row locks; PostgreSQL aborted one of them, which runs again.
        if (lock === 'shared' && attempt < maxAttempts && retriedCodes.has((error as { code?: string } | undefined)?.code ?? '')) continue;
        // The commit itself can fail (a full disk when the WAL is flushed).
        throw explainPostgresError(error);
      }
      onCommit?.(result);
      return result;
    }
  }

  /**
   * `work` in a transaction on a connection of the pool, holding the advisory lock `take` names. `BEGIN` and the
   * lock are sent without waiting for their answers: the work's first statement follows them on the same
   * connection, so opening the transaction costs no round trip of its own (PostgreSQL still runs them first).
   */
  private async inTransaction<T>(take: AdvisoryLock, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const connection = await this.client.reserve();
    try {
      const opened = Promise.all([connection.unsafe('BEGIN'), connection.unsafe(take.sql, take.params)]);
      opened.catch(() => undefined);
      try {
        const done = await work(new PostgresExecutor(connection, this.statementSeen, undefined));
        await opened;
        await connection.unsafe('COMMIT');
        return done;
      } catch (error) {
        await connection.unsafe('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      connection.release();
    }
  }

  classifyError(error: unknown): StoreFailure | undefined {
    const { code, table_name: table, detail } = (error ?? {}) as { code?: string; table_name?: string; detail?: string };
    if (code !== '23505') return undefined;
    // detail: Key (slug, other)=(a, b) already exists.
    const columns = /^Key \((.+?)\)=/.exec(detail ?? '')?.[1]?.split(',').map((c) => c.trim().replace(/^"|"$/g, '')) ?? [];
    return { kind: 'unique', table: table ?? '', columns };
  }

  onStatement(listener: ((sql: string) => void) | undefined): void {
    this.listener = listener;
  }

  /** Listens on a NOTIFY channel (on a connection of its own); resolves to a function that stops listening. */
  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const meta = await this.client.listen(channel, onPayload);
    return () => meta.unlisten();
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.client.unsafe('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  /** Drops the schema and everything in it: for tests and `causeway import --replace`. */
  async dropSchema(): Promise<void> {
    await this.client.unsafe(`DROP SCHEMA IF EXISTS ${this.dialect.quoteIdent(this.schema)} CASCADE`);
  }

  async close(): Promise<void> {
    await this.queue.idle();
    await Promise.allSettled([...this.writing]);
    await this.positions.idle();
    await Promise.all([this.client.end({ timeout: 5 }), this.sequencing.end({ timeout: 5 })]);
  }
}
