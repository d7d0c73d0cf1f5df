import type { SqlDialect } from '@causeway/core';

/** SQLite's side of the dialect boundary: identifiers, parameters and the few functions that differ. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  quoteIdent: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: () => '?',
  encodeParam: (value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value),
  // SQLite's lower() folds ASCII only; cw_lower is registered on every connection and uses the
  // same toLowerCase as the in-memory matcher, so both agree on non-ASCII text.
  containsInsensitive: (column, param) => `instr(cw_lower(${column}), cw_lower(${param})) > 0`,
  jsonArrayElements: (column, alias) => ({ from: `json_each(${column}) AS ${alias}`, value: `${alias}.value` }),
  // One writer at a time: nothing can change a row between a write's read and its commit.
  rowLock: () => '',
};

/** Functions every SQLite connection must have for the SQL the dialect writes. */
export function registerSqliteFunctions(db: {
  function(name: string, options: { deterministic: boolean }, fn: (value: unknown) => unknown): unknown;
}): void {
  db.function('cw_lower', { deterministic: true }, (value) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  );
}
