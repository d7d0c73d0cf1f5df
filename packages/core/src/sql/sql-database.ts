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

/** A database failure the core knows how to explain to a client. */
export type StoreFailure = { kind: 'unique'; table: string; columns: string[] };

/**
 * One database: a dialect, its DDL, a reader and serialised write transactions.
 * Reads outside a transaction never see another request's uncommitted writes.
 */
export interface SqlDatabase extends SqlExecutor {
  readonly dialect: SqlDialect;
  readonly ddl: SqlDdl;
  /**
   * Runs `work` in a write transaction; write transactions never overlap. `onCommit` runs right after a
   * successful commit, before the next transaction may start (the schema registry is swapped there).
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, onCommit?: (result: T) => void): Promise<T>;
  /** Recognises driver errors the core maps to client errors (unique violations). */
  classifyError(error: unknown): StoreFailure | undefined;
  /** Called with each statement's SQL; used to count statements in tests and metrics. */
  onStatement(listener: ((sql: string) => void) | undefined): void;
  close(): Promise<void>;
}
