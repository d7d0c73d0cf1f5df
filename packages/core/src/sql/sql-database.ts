import type { Collection } from '../schema/collection.js';
import type { SqlDialect } from './sql-dialect.js';

export type SqlRow = Record<string, unknown>;

/** Runs parameterised SQL. Inside a transaction it is the transaction's connection. */
export interface SqlExecutor {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  get(sql: string, params?: readonly unknown[]): Promise<SqlRow | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

/** Schema statements, written per database. Table changes are built from these by the core's migrator. */
export interface SqlDdl {
  /** System tables (collections, change log); idempotent. */
  bootstrap(): string[];
  /** Brings system tables made by an earlier version up to date (added columns); idempotent. */
  upgrade(tx: SqlExecutor): Promise<void>;
  /**
   * Makes the change log's next sequence number greater than `seq` (an imported deployment continues after its
   * source's position, so a client resuming with an old position is told to resync, never shown other events).
   */
  continueChangeLogAfter(tx: SqlExecutor, seq: number): Promise<void>;
  /** The table for `collection`, created under `tableName` (a temporary name while migrating). */
  createTable(collection: Collection, tableName: string): string[];
  /** Declared indexes plus the automatic ones (`created`, to-one relations, unique fields). */
  createIndexes(collection: Collection): string[];
  dropTable(tableName: string): string[];
  renameTable(from: string, to: string): string[];
}

export interface TransactionOptions {
  /**
   * Commit this write in a transaction of its own, never grouped with others: for a write whose `onCommit` changes
   * what later writes are judged by (a schema change swaps the registry), which must happen before they run.
   */
  alone?: boolean;
  /**
   * The work may run beside other concurrent work, on a database whose writers run in parallel (PostgreSQL): it
   * locks every row it reads in order to change it (`SqlDialect.rowLock`) and appends its change-log entries with
   * `ChangePositions`. It may be run again from the start if the database broke a deadlock by aborting it, so it
   * must keep no state from an earlier run. Work without this flag runs alone, as if no other writer existed.
   */
  concurrent?: boolean;
}

/**
 * How a database with parallel writers gives change-log positions in commit order: a transaction appends its
 * entries to `pendingTable` (the row's `draw` comes back where `seq` would), and after its commit `assign` moves
 * them into the change log, numbered in the order they became visible. Absent where one writer runs at a time:
 * an entry gets its position when it is inserted.
 */
export interface ChangePositions {
  readonly pendingTable: string;
  /** The positions of committed entries, by their draws (in the same order). */
  assign(draws: readonly number[]): Promise<number[]>;
}

/** A database failure the core knows how to explain to a client. */
export type StoreFailure = { kind: 'unique'; table: string; columns: string[] };

/**
 * One database: a dialect, its DDL, a reader and serialised write transactions.
 * Reads outside a transaction never see another request's uncommitted writes.
 */
export interface SqlDatabase extends SqlExecutor {
  readonly dialect: SqlDialect;
  readonly ddl: SqlDdl;
  readonly positions?: ChangePositions;
  /**
   * Runs `work` in a write transaction; writes never overlap (only `concurrent` work may run beside other
   * `concurrent` work, holding row locks), and each sees every write committed before it. A
   * database may commit concurrent writes together (SQLite's group commit): each still succeeds or fails on its
   * own, and is answered only once its commit has returned. `onCommit` runs right after that commit, in the order
   * the writes ran, before the promise resolves; writes grouped after this one have run by then (see `alone`).
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, onCommit?: (result: T) => void, options?: TransactionOptions): Promise<T>;
  /** Recognises driver errors the core maps to client errors (unique violations). */
  classifyError(error: unknown): StoreFailure | undefined;
  /** Called with each statement's SQL; used to count statements in tests and metrics. */
  onStatement(listener: ((sql: string) => void) | undefined): void;
  close(): Promise<void>;
}
