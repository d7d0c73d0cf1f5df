import type { SqlDialect } from '@causeway/core';

/**
 * PostgreSQL's side of the dialect boundary. Text columns are created with the "C" collation (code-point
 * order, like SQLite's BINARY and the in-memory comparison), and case folding uses ICU's root locale, which
 * applies Unicode's default case mapping like JavaScript's `toLowerCase` (final sigma included).
 */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  quoteIdent: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: (index) => `$${index}`,
  encodeParam: (value) => value,
  containsInsensitive: (column, param) =>
    `strpos(lower(${column}::text COLLATE "und-x-icu"), lower(${param}::text COLLATE "und-x-icu")) > 0`,
  // Through text first: a bound parameter typed jsonb would be JSON-encoded again by the driver.
  jsonArrayElements: (column, alias) => ({ from: `jsonb_array_elements_text(${column}::text::jsonb) AS ${alias}(value)`, value: `${alias}.value` }),
  // KEY SHARE: a relation target may still be updated meanwhile, only not deleted (nor its id changed).
  rowLock: (lock) => (lock === 'update' ? ' FOR UPDATE' : ' FOR KEY SHARE'),
};
