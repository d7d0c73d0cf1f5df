import { LRUCache } from 'lru-cache';
import { checkFilterDepth, compileCondition, hasRelationPaths, parseFilter, resolveFilter, type Condition, type FilterNode } from '../query/index.js';
import type { AccessRules } from '../rules/access-rules.js';
import { isPrivileged, type Caller } from '../rules/caller.js';
import type { Collection } from '../schema/collection.js';
import type { Field } from '../schema/field.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import { mayQuery } from './field-visibility.js';
import { SqlParams } from '../sql/sql-dialect.js';

export interface CompiledFilter {
  /** SQL boolean expression over the row alias it was compiled for. */
  sql: string;
  /** Values bound by the expression, in placeholder order (already encoded for the driver). */
  params: readonly unknown[];
}

interface Entry {
  /** The filter resolved against the schema, before any caller's bounds. */
  condition: Condition;
  /** Whether it follows relations, so its SQL depends on the caller's view of their targets. */
  throughRelations: boolean;
  /** SQL per row alias, for callers the filter is the same for. */
  sql: Map<string, CompiledFilter>;
}

/**
 * Estimated bytes held per character of filter text: the resolved tree and its SQL for one row alias, measured at
 * about 24 (1,000 distinct 4 KB filters held 94 MB). The cache holds at most `budgetBytes` by this estimate.
 */
const bytesPerCharacter = 32;
const budgetBytes = 8 * 1024 * 1024;

/**
 * A client's filter text → condition and SQL, cached: clients repeat the same few filters, and parsing,
 * resolving and compiling cost more than the query itself. Cleared whenever the schema changes, since resolution
 * depends on it, and bounded by estimated memory (least recently used out), so a stream of distinct filters
 * cannot fill memory. A filter through relations is bounded per caller by the targets' view rules (see
 * `AccessRules.bounded`), so its SQL is compiled per request unless the caller is an admin; the resolved tree is
 * still shared.
 */
export class CompiledFilters {
  private readonly cache = new LRUCache<string, Entry>({ max: 1000, maxSize: budgetBytes, sizeCalculation: (_, key) => key.length * bytesPerCharacter });

  constructor(
    private readonly schema: SchemaRegistry,
    private readonly dialect: SqlDialect,
    private readonly rules: AccessRules,
  ) {
    schema.onChange(() => this.cache.clear());
  }

  /**
   * The caller's condition: fields it may not query (hidden, owner- or admins-only; see `mayQuery`) are unknown
   * to it, and relation hops reach what it may view.
   */
  condition(collection: Collection, filter: string, caller: Caller): Condition {
    return this.rules.bounded(this.entry(collection, filter, caller).condition, caller);
  }

  /** SQL for the caller's condition over `alias`; its placeholders are numbered from 1. */
  get(collection: Collection, filter: string, alias: string, caller: Caller): CompiledFilter {
    const entry = this.entry(collection, filter, caller);
    if (entry.throughRelations && !isPrivileged(caller)) return this.compile(this.rules.bounded(entry.condition, caller), alias);
    let compiled = entry.sql.get(alias);
    if (!compiled) entry.sql.set(alias, (compiled = this.compile(entry.condition, alias)));
    return compiled;
  }

  /** A filter a surface parsed itself (not cached: trees are built per request). */
  tree(collection: Collection, node: FilterNode, caller: Caller): Condition {
    checkFilterDepth(node);
    return this.rules.bounded(resolveFilter(node, collection, this.schema, queryableBy(caller)), caller);
  }

  private compile(condition: Condition, alias: string): CompiledFilter {
    const params = new SqlParams(this.dialect);
    const sql = compileCondition(condition, alias, params, this.dialect);
    return { sql, params: params.values };
  }

  private entry(collection: Collection, filter: string, caller: Caller): Entry {
    // Admins may query every field but hidden ones, everyone else only fields everyone may read: two resolutions.
    const key = `${isPrivileged(caller) ? 'admin' : 'client'}\u0000${collection.name}\u0000${filter}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const condition = resolveFilter(parseFilter(filter), collection, this.schema, queryableBy(caller));
      entry = { condition, throughRelations: hasRelationPaths(condition), sql: new Map() };
      this.cache.set(key, entry);
    }
    return entry;
  }
}

function queryableBy(caller: Caller): { queryable: (collection: Collection, field: Field) => boolean } {
  return { queryable: (collection, field) => mayQuery(caller, collection, field) };
}
