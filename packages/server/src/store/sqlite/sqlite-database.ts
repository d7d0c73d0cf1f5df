import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { assertStorableParams, type SqlDatabase, type SqlExecutor, type SqlRow, type StoreFailure, type TransactionOptions } from '@causeway/core';
import { storageFullError } from '../storage-errors.js';
import { GroupCommit } from './group-commit.js';
import { sqliteDdl } from './sqlite-ddl.js';
import { registerSqliteFunctions, sqliteDialect } from './sqlite-dialect.js';

type Connection = Database.Database;
type Statement = Database.Statement<unknown[], SqlRow>;

/**
 * Prepared statements by SQL text: queries repeat their shape, so preparing once pays for itself. Bounded by count
 * and by the length of their text (a statement's compiled program grows with it): a client's filters give SQL of
 * any shape, and a stream of distinct ones must not fill memory. Least recently used out.
 */
class StatementCache {
  private readonly statements = new LRUCache<string, Statement>({ max: 500, maxSize: 2 * 1024 * 1024, sizeCalculation: (_, sql) => sql.length });
  constructor(private readonly connection: Connection) {}

  get(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.connection.prepare<unknown[], SqlRow>(sql)));
    return statement;
  }
}

class SqliteExecutor implements SqlExecutor {
  readonly cache: StatementCache;
  constructor(
    readonly connection: Connection,
    private readonly notify: (sql: string) => void,
  ) {
    this.cache = new StatementCache(connection);
  }

  async all(sql: string, params: readonly unknown[] = []): Promise<SqlRow[]> {
    return this.execute(sql, params, (statement) => statement.all(...params));
  }

  async get(sql: string, params: readonly unknown[] = []): Promise<SqlRow | undefined> {
    return this.execute(sql, params, (statement) => statement.get(...params));
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return this.execute(sql, params, (statement) => {
      if (!statement.reader) return { changes: statement.run(...params).changes };
      statement.all(...params);
      return { changes: 0 };
    });
  }

  private execute<T>(sql: string, params: readonly unknown[], step: (statement: Statement) => T): T {
    this.notify(sql);
    assertStorableParams(params);
    try {
      return step(this.cache.get(sql));
    } catch (error) {
      throw explainSqliteError(error);
    }
  }
}

/** SQLite's refusals that are not bugs, as the client errors they stand for: a full disk (or database). */
export function explainSqliteError(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_FULL' ? storageFullError(error) : error;
}

export interface SqliteOptions {
  /**
   * `full` (default): every commit syncs the write-ahead log, so an acknowledged write survives power loss.
   * `normal`: syncs at checkpoints only; a process crash loses nothing, a power cut can lose the last commits.
   */
  synchronous?: 'full' | 'normal';
}

function openConnection(file: string, readonly: boolean, synchronous: 'full' | 'normal'): Connection {
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  connection.pragma('busy_timeout = 5000');
  if (readonly) connection.pragma('query_only = 1');
  // Group commit runs each write of a group in a savepoint, and SQLite keeps a savepoint's undo pages in a
  // temporary file by default: that tripled the cost of a batch of 100 creates. In memory they cost what the
  // group's writes touched (each page a write changes, once), held until its savepoint is released.
  else connection.pragma('temp_store = MEMORY');
  registerSqliteFunctions(connection);
  return connection;
}

/**
 * SQLite through better-sqlite3: one connection for write transactions (run one after another and committed in
 * groups, see `GroupCommit`; SQLite has one writer anyway) and one for reads, which in WAL mode never see
 * uncommitted writes.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = sqliteDialect;
  readonly ddl = sqliteDdl;
  private readonly writer: SqliteExecutor;
  private readonly reader: SqliteExecutor;
  private readonly writes: GroupCommit;
  private listener: ((sql: string) => void) | undefined;

  constructor(readonly file: string, options: SqliteOptions = {}) {
    const notify = (sql: string) => this.listener?.(sql);
    const synchronous = options.synchronous ?? 'full';
    this.writer = new SqliteExecutor(openConnection(file, false, synchronous), notify);
    this.reader = new SqliteExecutor(openConnection(file, true, synchronous), notify);
    this.writes = new GroupCommit(this.writer.connection, this.writer, explainSqliteError);
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

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, onCommit?: (result: T) => void, options?: TransactionOptions): Promise<T> {
    return this.writes.run(work, onCommit, options);
  }

  /** Write transactions committed so far; fewer than the writes when concurrent writes were committed together. */
  get commits(): number {
    return this.writes.commits;
  }

  classifyError(error: unknown): StoreFailure | undefined {
    const code = (error as { code?: unknown })?.code;
    if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return undefined;
    // "UNIQUE constraint failed: posts.slug, posts.other"
    const targets = String((error as Error).message).split(':').slice(1).join(':').split(',').map((s) => s.trim());
    const table = targets[0]?.split('.')[0] ?? '';
    return { kind: 'unique', table, columns: targets.map((t) => t.split('.').slice(1).join('.')) };
  }

  onStatement(listener: ((sql: string) => void) | undefined): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    await this.writes.idle();
    this.reader.connection.close();
    this.writer.connection.close();
  }
}
