import { CausewayError } from '../errors/causeway-error.js';
import { compileCondition, type Condition, type FilterNode } from '../query/index.js';
import { parseSort, type SortKey } from '../query/parse-sort.js';
import { AccessRules, type RuleVerdict } from '../rules/access-rules.js';
import type { Caller } from '../rules/caller.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import type { RowLock } from '../sql/sql-dialect.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';
import { CompiledFilters } from './compiled-filters.js';
import { afterCursorSql, cursorValues, decodeCursor, encodeCursor, orderBySql, reversedSort } from './cursor.js';
import { versionTag } from './etag.js';
import { expandRecords, parseExpand, type RecordsByIds } from './expand.js';
import { pageLimit, type ListPage, type ListQuery, type ReadOptions } from './list-query.js';
import { parseFields, projectRecord } from './project-fields.js';
import type { CausewayRecord, VersionedRecord } from './record.js';
import { decodeRow, type RecordImage } from './record-row.js';
import { mayQuery, visibleRecord } from './field-visibility.js';
import { isStorableText } from '../values/storable-text.js';

const rowAlias = 't';

/** Reads records: lists with filter, sort, cursor, count, expand and field selection; single records by id. */
export class RecordsReader {
  private readonly s: SqlTemplate;
  private readonly filters: CompiledFilters;
  private readonly findSql = new Map<string, string>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly schema: SchemaRegistry,
    readonly rules: AccessRules,
  ) {
    this.s = sqlTemplate(db.dialect);
    this.filters = new CompiledFilters(schema, db.dialect, rules);
    schema.onChange(() => this.findSql.clear());
  }

  collection(name: string): Collection {
    const collection = this.schema.collection(name);
    if (!collection) throw new CausewayError('COLLECTION_NOT_FOUND', `There is no collection '${name}'.`);
    return collection;
  }

  /** `executor`: a write transaction's, for a hook that lists inside it (it must see the write so far). */
  async list(caller: Caller, name: string, query: ListQuery, executor: SqlExecutor = this.db): Promise<ListPage> {
    const collection = this.collection(name);
    const rule = this.rules.require(collection, 'list', caller);
    const limit = pageLimit(query.limit);
    const keys = parseSort(query.sort, collection, (field) => mayQuery(caller, collection, field));
    const projection = query.fields ? parseFields(query.fields, collection) : undefined;
    const expand = parseExpand(query.expand ?? [], collection, this.schema);
    const params = this.s.params();
    const where: string[] = [];
    if (query.filter !== undefined && query.filter.trim() !== '') {
      // The filter comes first, so its cached placeholders are numbered from 1 in every dialect.
      const filter = this.filters.get(collection, query.filter, rowAlias, caller);
      where.push(filter.sql);
      for (const value of filter.params) params.addRaw(value);
    }
    if (query.where) where.push(compileCondition(this.filters.tree(collection, query.where, caller), rowAlias, params, this.db.dialect));
    // The list rule is part of the query, so pages, cursors and counts only ever see permitted records.
    if (rule.kind === 'where') where.push(compileCondition(rule.condition, rowAlias, params, this.db.dialect));
    const filterParams = [...params.values];
    const filterSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const reversed = reversedSort(keys);
    if (query.after !== undefined) where.push(afterCursorSql(keys, decodeCursor(query.after, keys, collection), rowAlias, params, this.db.dialect));
    // Rows before the cursor are the rows after it in the reversed order.
    if (query.before !== undefined) where.push(afterCursorSql(reversed, decodeCursor(query.before, keys, collection), rowAlias, params, this.db.dialect));
    const backward = query.backward === true;
    const table = `${this.db.dialect.quoteIdent(collection.name)} AS ${rowAlias}`;
    // A backward page is read in the reversed order (so the database stops after `limit + 1` rows) and turned round.
    const pageSql = `SELECT * FROM ${table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBySql(backward ? reversed : keys, rowAlias, this.db.dialect)} LIMIT ${limit + 1}`;
    const rows = await executor.all(pageSql, params.values);
    const decoded = rows.slice(0, limit).map((row) => decodeRow(collection, row, caller));
    if (backward) decoded.reverse();
    const items = decoded.map((d) => d.record);
    const first = items[0];
    const last = items.at(-1);
    const more = rows.length > limit;
    // The far end (after a backward page, before a forward one) is open only when a cursor bounds it; then one
    // row beyond the page's end item tells. No row lies between that item and the cursor, so this is exact.
    const beyond = (bound: string | undefined, item: CausewayRecord | undefined, order: SortKey[]) =>
      bound !== undefined && item !== undefined ? this.anyAfter(executor, table, filterSql, filterParams, order, item) : Promise.resolve(false);
    const page: ListPage = {
      items,
      nextCursor: (backward ? await beyond(query.before, last, keys) : more) && last ? encodeCursor(keys, last) : null,
    };
    if (backward || query.bothEnds) page.prevCursor = (backward ? more : await beyond(query.after, first, reversed)) && first ? encodeCursor(keys, first) : null;
    if (query.cursors) page.cursors = items.map((item) => encodeCursor(keys, item));
    if (query.versions) page.versions = decoded.map(versionTag);
    if (query.count) {
      const row = await executor.get(`SELECT COUNT(*) AS n FROM ${table} ${filterSql}`, filterParams);
      page.total = Number(row?.n ?? 0);
    }
    await expandRecords(page.items, expand, this.visibleByIds(executor, caller));
    if (projection) page.items = page.items.map((item) => projectRecord(item, projection));
    return page;
  }

  /** Whether some row matching the filter comes after `item` in the keys' order. */
  private async anyAfter(executor: SqlExecutor, table: string, filterSql: string, filterParams: readonly unknown[], keys: readonly SortKey[], item: CausewayRecord): Promise<boolean> {
    const params = this.s.params();
    for (const value of filterParams) params.addRaw(value);
    const after = afterCursorSql(keys, cursorValues(keys, item), rowAlias, params, this.db.dialect);
    const row = await executor.get(`SELECT 1 AS found FROM ${table} ${filterSql ? `${filterSql} AND ${after}` : `WHERE ${after}`} LIMIT 1`, params.values);
    return row !== undefined;
  }

  async get(caller: Caller, name: string, id: string, options: ReadOptions = {}, executor: SqlExecutor = this.db): Promise<VersionedRecord> {
    const collection = this.collection(name);
    const rule = this.rules.require(collection, 'view', caller);
    // A record the view rule hides answers exactly like a missing one.
    const found = await this.find(collection, id, executor, rule.kind === 'where' ? rule.condition : undefined);
    if (!found) throw notFound(collection, id);
    found.record = visibleRecord(collection, found.record, caller);
    if (options.expand?.length) await expandRecords([found.record], parseExpand(options.expand, collection, this.schema), this.visibleByIds(executor, caller));
    if (options.fields) found.record = projectRecord(found.record, parseFields(options.fields, collection));
    return found;
  }

  /** A client's filter as the condition it means for `caller` (fields it may not query unknown, relation hops bounded). */
  filterCondition(caller: Caller, collection: Collection, filter: string | FilterNode): Condition {
    return typeof filter === 'string' ? this.filters.condition(collection, filter, caller) : this.filters.tree(collection, filter, caller);
  }

  /**
   * The record with `id`, if it exists and, when a condition is given, matches it: its internal image (hidden
   * fields too), for the core's judgements and the change log; `get` is what clients are given.
   */
  async find(collection: Collection, id: string, executor: SqlExecutor = this.db, condition?: Condition, lock?: RowLock): Promise<VersionedRecord | undefined> {
    // No stored id holds such text, and PostgreSQL could not even compare it.
    if (!isStorableText(id)) return undefined;
    const locked = lock ? this.db.dialect.rowLock(lock) : '';
    if (condition || locked) {
      const params = this.s.params();
      const byId = `${rowAlias}.id = ${params.add(id)}`;
      const where = condition ? ` AND ${compileCondition(condition, rowAlias, params, this.db.dialect)}` : '';
      const sql = `SELECT * FROM ${this.db.dialect.quoteIdent(collection.name)} AS ${rowAlias} WHERE ${byId}${where}${locked}`;
      const row = await executor.get(sql, params.values);
      return row ? decodeRow(collection, row, 'internal') : undefined;
    }
    let sql = this.findSql.get(collection.name);
    if (sql === undefined) {
      sql = this.s.q`SELECT * FROM ${this.s.id(collection.name)} WHERE id = ${id}`.text;
      this.findSql.set(collection.name, sql);
    }
    const row = await executor.get(sql, [id]);
    return row ? decodeRow(collection, row, 'internal') : undefined;
  }

  /** Whether the caller may see record `id` (it exists and passes the view rule): tells 403 from 404. */
  async visible(caller: Caller, collection: Collection, id: string, executor: SqlExecutor): Promise<boolean> {
    const verdict = this.rules.verdict(collection, 'view', caller);
    if (verdict.kind === 'deny') return false;
    return (await this.find(collection, id, executor, verdict.kind === 'where' ? verdict.condition : undefined)) !== undefined;
  }

  /** Records by id whatever the rules, as internal images: for checks and matching inside the core, never for output. */
  byIds(executor: SqlExecutor, lock?: RowLock): RecordsByIds {
    return (collection, ids) => this.loadByIds(executor, collection, ids, { kind: 'allow' }, 'internal', (found) => found.record, lock);
  }

  /** Records by id that the caller may view (absent ones are missing or hidden by the view rule), with their versions. */
  visibleMany(caller: Caller, collection: Collection, ids: readonly string[]): Promise<Map<string, VersionedRecord>> {
    return this.loadByIds(this.db, collection, ids, this.rules.verdict(collection, 'view', caller), caller, (found) => found);
  }

  /** Records by id that the caller may view: what expand returns, so it never leaks a hidden record. */
  visibleByIds(executor: SqlExecutor, caller: Caller, lock?: RowLock): RecordsByIds {
    return (collection, ids) => this.loadByIds(executor, collection, ids, this.rules.verdict(collection, 'view', caller), caller, (found) => found.record, lock);
  }

  /** One statement for any number of ids: the ids travel as one JSON array parameter. */
  private async loadByIds<T>(
    executor: SqlExecutor,
    collection: Collection,
    ids: readonly string[],
    verdict: RuleVerdict,
    image: RecordImage,
    pick: (found: VersionedRecord) => T,
    lock?: RowLock,
  ): Promise<Map<string, T>> {
    if (verdict.kind === 'deny') return new Map();
    const params = this.s.params();
    const elements = this.db.dialect.jsonArrayElements(params.addRaw(JSON.stringify(ids)), 'ids');
    const rule = verdict.kind === 'where' ? ` AND ${compileCondition(verdict.condition, rowAlias, params, this.db.dialect)}` : '';
    const rows = await executor.all(
      `SELECT * FROM ${this.db.dialect.quoteIdent(collection.name)} AS ${rowAlias} WHERE ${rowAlias}.id IN (SELECT ${elements.value} FROM ${elements.from})${rule}${lock ? this.db.dialect.rowLock(lock) : ''}`,
      params.values,
    );
    return new Map(rows.map((row) => [row.id as string, pick(decodeRow(collection, row, image))] as [string, T]));
  }
}

export function notFound(collection: Collection, id: string): CausewayError {
  return new CausewayError('RECORD_NOT_FOUND', `There is no record '${id}' in '${collection.name}'.`);
}
