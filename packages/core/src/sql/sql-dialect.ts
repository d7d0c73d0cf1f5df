/**
 * What differs between SQL databases, as seen by the dialect-neutral SQL the core writes.
 * Each database implements this once (`store/sqlite`, `store/postgres`); nothing outside a dialect
 * asks which database it runs on.
 */
export interface SqlDialect {
  readonly name: string;
  quoteIdent(name: string): string;
  /** Placeholder for the bound parameter at 1-based `index` (`?` or `$3`). */
  placeholder(index: number): string;
  /** Turns a filter or record value into what the driver binds (SQLite has no boolean: 1/0). */
  encodeParam(value: string | number | boolean | null): unknown;
  /** Case-insensitive substring test, with the same folding as the in-memory matcher (`toLowerCase`). */
  containsInsensitive(columnSql: string, paramSql: string): string;
  /**
   * A table-valued expression over the elements of a JSON array column, for `FROM`.
   * Returns the FROM item (with `alias`) and the expression for an element's text value.
   */
  jsonArrayElements(columnSql: string, alias: string): { from: string; value: string };
  /**
   * What a write's `SELECT` ends with to hold the rows it read until commit, where writers run side by side: a
   * row it is about to change (`update`), or a relation target that must not be deleted meanwhile (`share`).
   * Empty where one writer runs at a time (SQLite).
   */
  rowLock(lock: RowLock): string;
}

export type RowLock = 'update' | 'share';

/** Collects bound parameters while SQL text is being built, so values never enter the text. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: SqlDialect) {}

  /** Binds `value` and returns its placeholder. */
  add(value: string | number | boolean | null): string {
    this.values.push(this.dialect.encodeParam(value));
    return this.dialect.placeholder(this.values.length);
  }

  /** Binds an already-encoded value (e.g. a JSON string) as is. */
  addRaw(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}
