import { compileCondition, parseFilter, resolveFilter } from '../query/index.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import { SqlParams } from '../sql/sql-dialect.js';

export interface CompiledFilter {
  /** SQL boolean expression over the row alias it was compiled for. */
  sql: string;
  /** Values bound by the expression, in placeholder order (already encoded for the driver). */
  params: readonly unknown[];
}

const capacity = 1000;

/**
 * Filter text → SQL, cached: clients repeat the same few filters, and parsing, resolving and compiling
 * cost more than the query itself. Cleared whenever the schema changes, since resolution depends on it.
 * Only positional-parameter-neutral SQL is cached: the params start at 1 for each use.
 */
export class CompiledFilters {
  private readonly cache = new Map<string, CompiledFilter>();

  constructor(
    private readonly schema: SchemaRegistry,
    private readonly dialect: SqlDialect,
  ) {
    schema.onChange(() => this.cache.clear());
  }

  /** A client's filter: hidden fields are unknown to it, so it cannot probe their values. */
  get(collection: Collection, filter: string, alias: string): CompiledFilter {
    const key = `${collection.name}\u0000${alias}\u0000${filter}`;
    let compiled = this.cache.get(key);
    if (!compiled) {
      const params = new SqlParams(this.dialect);
      const sql = compileCondition(resolveFilter(parseFilter(filter), collection, this.schema, { rejectHidden: true }), alias, params, this.dialect);
      compiled = { sql, params: params.values };
      if (this.cache.size >= capacity) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, compiled);
    }
    return compiled;
  }
}
