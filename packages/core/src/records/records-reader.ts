import { CausewayError } from '../errors/causeway-error.js';
import { parseSort } from '../query/parse-sort.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';
import { CompiledFilters } from './compiled-filters.js';
import { afterCursorSql, decodeCursor, encodeCursor, orderBySql } from './cursor.js';
import { expandRecords, parseExpand, type RecordsByIds } from './expand.js';
import { defaultPageSize, maxPageSize, type ListPage, type ListQuery, type ReadOptions } from './list-query.js';
import { parseFields, projectRecord } from './project-fields.js';
import type { CausewayRecord, VersionedRecord } from './record.js';
import { decodeRow } from './record-row.js';

const rowAlias = 't';

/** Reads records: lists with filter, sort, cursor, count, expand and field selection; single records by id. */
export class RecordsReader {
  private readonly s: SqlTemplate;
  private readonly filters: CompiledFilters;
  private readonly findSql = new Map<string, string>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly schema: SchemaRegistry,
  ) {
    this.s = sqlTemplate(db.dialect);
    this.filters = new CompiledFilters(schema, db.dialect);
  }

  collection(name: string): Collection {
    const collection = this.schema.collection(name);
    if (!collection) throw new CausewayError('COLLECTION_NOT_FOUND', `There is no collection '${name}'.`);
    return collection;
  }

  async list(name: string, query: ListQuery): Promise<ListPage> {
    const collection = this.collection(name);
    const limit = query.limit ?? defaultPageSize;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
      throw new CausewayError('INVALID_QUERY', `limit must be a whole number from 1 to ${maxPageSize}`);
    }
    const keys = parseSort(query.sort, collection);
    const projection = query.fields ? parseFields(query.fields, collection) : undefined;
    const expand = parseExpand(query.expand ?? [], collection, this.schema);
    const params = this.s.params();
    const where: string[] = [];
    if (query.filter !== undefined && query.filter.trim() !== '') {
      // The filter comes first, so its cached placeholders are numbered from 1 in every dialect.
      const filter = this.filters.get(collection, query.filter, rowAlias);
      where.push(filter.sql);
      for (const value of filter.params) params.addRaw(value);
    }
    const filterParams = [...params.values];
    const filterSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    if (query.after !== undefined) where.push(afterCursorSql(keys, decodeCursor(query.after, keys), rowAlias, params, this.db.dialect));
    const table = `${this.db.dialect.quoteIdent(collection.name)} AS ${rowAlias}`;
    const pageSql = `SELECT * FROM ${table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBySql(keys, rowAlias, this.db.dialect)} LIMIT ${limit + 1}`;
    const rows = await this.db.all(pageSql, params.values);
    const items = rows.slice(0, limit).map((row) => decodeRow(collection, row).record);
    const last = items.at(-1);
    const page: ListPage = { items, nextCursor: rows.length > limit && last ? encodeCursor(keys, last) : null };
    if (query.count) {
      const row = await this.db.get(`SELECT COUNT(*) AS n FROM ${table} ${filterSql}`, filterParams);
      page.total = Number(row?.n ?? 0);
    }
    await expandRecords(page.items, expand, this.byIds(this.db));
    if (projection) page.items = page.items.map((item) => projectRecord(item, projection));
    return page;
  }

  async get(name: string, id: string, options: ReadOptions = {}, executor: SqlExecutor = this.db): Promise<VersionedRecord> {
    const collection = this.collection(name);
    const found = await this.find(collection, id, executor);
    if (!found) throw new CausewayError('RECORD_NOT_FOUND', `There is no record '${id}' in '${name}'.`);
    if (options.expand?.length) await expandRecords([found.record], parseExpand(options.expand, collection, this.schema), this.byIds(executor));
    if (options.fields) found.record = projectRecord(found.record, parseFields(options.fields, collection));
    return found;
  }

  async find(collection: Collection, id: string, executor: SqlExecutor = this.db): Promise<VersionedRecord | undefined> {
    let sql = this.findSql.get(collection.name);
    if (sql === undefined) {
      sql = this.s.q`SELECT * FROM ${this.s.id(collection.name)} WHERE id = ${id}`.text;
      this.findSql.set(collection.name, sql);
    }
    const row = await executor.get(sql, [id]);
    return row ? decodeRow(collection, row) : undefined;
  }

  /** One statement for any number of ids: the ids travel as one JSON array parameter. */
  byIds(executor: SqlExecutor): RecordsByIds {
    return async (collection, ids) => {
      const params = this.s.params();
      const elements = this.db.dialect.jsonArrayElements(params.addRaw(JSON.stringify(ids)), 'ids');
      const rows = await executor.all(
        `SELECT * FROM ${this.db.dialect.quoteIdent(collection.name)} WHERE id IN (SELECT ${elements.value} FROM ${elements.from})`,
        params.values,
      );
      return new Map(rows.map((row) => [row.id as string, decodeRow(collection, row).record] as [string, CausewayRecord]));
    };
  }
}
