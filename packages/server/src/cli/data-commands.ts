import { createReadStream, createWriteStream, existsSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  CausewayError,
  ChangeFeed,
  appendChange,
  sqlTemplate,
  CollectionsService,
  SchemaRegistry,
  SqlParams,
  adminsRealm,
  changeLogTable,
  decodeValue,
  internalSettingPrefix,
  isCausewayError,
  encodeValue,
  identitiesTable,
  oauthProvidersTable,
  oneTimeTokensTable,
  passkeysTable,
  secondFactorsTable,
  sessionsTable,
  settingsTable,
  versionColumn,
  type Collection,
  type SqlDatabase,
  type SqlExecutor,
} from '@causeway/core';
import type { Config } from '../config/config.js';
import { openDatabase } from '../store/open-database.js';

const format = 'causeway-export';
/** The change-log entry an import leaves: no collection has this name (names cannot start with `_`). */
const importMarker = '_import';
const pageSize = 1000;

/**
 * System tables that move with the data: admins, sessions (so people stay signed in, given the same signing
 * keys), one-time tokens (pending resets and verifications), second factors, OAuth providers (client secrets
 * stay sealed: they open on the target only with the same token secret) and linked identities, and settings. Their columns are all text, the same
 * on every database. Rows whose key starts with `internal` belong to the database rather than to the deployment's
 * data (its deployment id, schema generation, signing keys) and stay where they are. The change log does not
 * move: the target starts a fresh one.
 */
const systemTables: readonly SystemTable[] = [
  { table: adminsRealm, key: 'id' },
  { table: sessionsTable, key: 'id' },
  { table: oneTimeTokensTable, key: 'token_hash' },
  { table: secondFactorsTable, key: 'owner' },
  { table: passkeysTable, key: 'id' },
  { table: oauthProvidersTable, key: 'key' },
  { table: identitiesTable, key: 'key' },
  { table: settingsTable, key: 'key', internal: internalSettingPrefix },
];

interface SystemTable {
  table: string;
  key: string;
  internal?: string;
}

type SchemaDocument = ReturnType<CollectionsService['export']>;
type Row = Record<string, unknown>;

/** How many records per collection and rows per system table a file holds (its last line) or an import wrote. */
export interface DataCounts {
  records: Record<string, number>;
  system: Record<string, number>;
}

/**
 * The lines of an export, in this order: the header, the schema, system rows, records (values as the API
 * knows them), and an end line with the counts, so a file cut short is told from a complete one.
 */
type Line =
  | { format: typeof format; version: 1; exported: string; position: number }
  | { schema: SchemaDocument }
  | { system: string; row: Row }
  | { collection: string; row: Row }
  | { end: DataCounts };

async function withDatabase<T>(config: Config, work: (db: SqlDatabase, collections: CollectionsService) => Promise<T>): Promise<T> {
  const db = openDatabase(config.db);
  try {
    const collections = new CollectionsService(db, new SchemaRegistry());
    await collections.open();
    return await work(db, collections);
  } finally {
    await db.close();
  }
}

/** Leaves out a table's internal rows (the prefix bound in `params`); nothing for a table without them. */
function keepCondition(db: SqlDatabase, table: Pick<SystemTable, 'key' | 'internal'>, params: SqlParams): string[] {
  return table.internal === undefined ? [] : [`substr(${db.dialect.quoteIdent(table.key)}, 1, ${table.internal.length}) <> ${params.add(table.internal)}`];
}

const where = (conditions: readonly string[]) => (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '');

/** Rows of `table` in key order, a page at a time, so a big table never sits in memory whole. */
async function* pages(db: SqlDatabase, table: SystemTable): AsyncGenerator<Row[]> {
  const q = db.dialect.quoteIdent;
  let after: string | undefined;
  for (;;) {
    const params = new SqlParams(db.dialect);
    const conditions = [...(after === undefined ? [] : [`${q(table.key)} > ${params.add(after)}`]), ...keepCondition(db, table, params)];
    const rows = await db.all(`SELECT * FROM ${q(table.table)}${where(conditions)} ORDER BY ${q(table.key)} LIMIT ${params.add(pageSize)}`, params.values);
    if (rows.length === 0) return;
    yield rows;
    after = String(rows.at(-1)![table.key]);
  }
}

/**
 * `causeway export`: writes the configured database to `file` as newline-delimited JSON, records with their
 * values as the API knows them (hidden fields such as password hashes included), so the file is the same
 * whichever database it came from. The file is readable by its owner only; a failed export removes it.
 */
export async function exportData(config: Config, file: string): Promise<DataCounts> {
  return withDatabase(config, async (db, collections) => {
    const out = createWriteStream(file, { mode: 0o600 });
    const write = async (line: Line) => {
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
    };
    const counts: DataCounts = { records: {}, system: {} };
    try {
      // The change-log position the data is as of: the target's log continues after it.
      const position = await new ChangeFeed(db).latest();
      await write({ format, version: 1, exported: new Date().toISOString(), position });
      await write({ schema: collections.export() });
      for (const table of systemTables) {
        counts.system[table.table] = 0;
        for await (const rows of pages(db, table)) {
          for (const row of rows) await write({ system: table.table, row });
          counts.system[table.table]! += rows.length;
        }
      }
      for (const collection of collections.list()) {
        counts.records[collection.name] = 0;
        for await (const rows of pages(db, { table: collection.name, key: 'id' })) {
          for (const row of rows) await write({ collection: collection.name, row: exportedRecord(collection, row) });
          counts.records[collection.name]! += rows.length;
        }
      }
      await write({ end: counts });
      out.end();
      await once(out, 'finish');
    } catch (error) {
      out.destroy();
      rmSync(file, { force: true });
      throw error;
    }
    return counts;
  });
}

function invalid(file: string, line: number, problem: string): CausewayError {
  return new CausewayError('BAD_REQUEST', `${file} line ${line}: ${problem}`);
}

const isObject = (value: unknown): value is Row => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The file's lines, parsed, with their 1-based numbers. */
async function* readLines(file: string): AsyncGenerator<{ number: number; line: Row }> {
  if (!existsSync(file)) throw new CausewayError('BAD_REQUEST', `${file} does not exist.`);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of lines) {
      number += 1;
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        throw invalid(file, number, number === 1 ? 'not a Causeway export (not JSON)' : 'not JSON');
      }
      if (!isObject(line)) throw invalid(file, number, 'expected a JSON object');
      yield { number, line };
    }
  } finally {
    lines.close();
  }
}

/**
 * Reads the whole file once before anything is written: the header, the schema, that every line is a row of a
 * known table or of a collection the schema defines, and that the end line's counts match what came before.
 */
async function checkExport(file: string): Promise<{ schema: SchemaDocument; position: number }> {
  let schema: SchemaDocument | undefined;
  let position = 0;
  let end: DataCounts | undefined;
  const seen: DataCounts = { records: {}, system: {} };
  let last = 0;
  for await (const { number, line } of readLines(file)) {
    last = number;
    if (end) throw invalid(file, number, 'follows the end line');
    if (number === 1) {
      if (line.format !== format) throw invalid(file, 1, `not a Causeway export (expected {"format":"${format}",…})`);
      if (line.version !== 1) throw invalid(file, 1, `export version ${JSON.stringify(line.version)} is not one this Causeway reads`);
      if (!Number.isSafeInteger(line.position) || (line.position as number) < 0) throw invalid(file, 1, 'the header has no change-log position');
      position = line.position as number;
    } else if (number === 2) {
      const document = line.schema;
      if (!isObject(document) || !Array.isArray(document.collections) || !document.collections.every((c) => isObject(c) && typeof c.name === 'string')) {
        throw invalid(file, 2, 'expected the schema ({"schema":{"collections":[…]}})');
      }
      schema = document as SchemaDocument;
      for (const collection of schema.collections) seen.records[collection.name] = 0;
    } else if (typeof line.system === 'string' && isObject(line.row)) {
      if (!systemTables.some((t) => t.table === line.system)) throw invalid(file, number, `unknown system table '${line.system}'`);
      seen.system[line.system] = (seen.system[line.system] ?? 0) + 1;
    } else if (typeof line.collection === 'string' && isObject(line.row)) {
      if (seen.records[line.collection] === undefined) throw invalid(file, number, `a record of '${line.collection}', which the schema does not define`);
      if (typeof line.row.id !== 'string') throw invalid(file, number, 'a record without an id');
      seen.records[line.collection]! += 1;
    } else if (isObject(line.end) && isObject(line.end.records) && isObject(line.end.system)) {
      end = line.end as unknown as DataCounts;
      const differs = (a: Record<string, number>, b: Record<string, number>) => [...Object.keys(a), ...Object.keys(b)].some((k) => (a[k] ?? 0) !== (b[k] ?? 0));
      if (differs(end.records, seen.records) || differs(end.system, seen.system)) throw invalid(file, number, 'the counts do not match the lines before it');
    } else {
      throw invalid(file, number, 'expected a system row, a record or the end line');
    }
  }
  if (last < 2) throw invalid(file, last + 1, last === 0 ? 'not a Causeway export (the file is empty)' : 'expected the schema');
  if (!end) throw invalid(file, last, 'the file ends without its end line: the export was cut short');
  return { schema: schema!, position };
}

/** What the target holds that an import would mix with: records in any collection, rows in the moved system tables. */
async function heldData(db: SqlDatabase, collections: CollectionsService): Promise<string[]> {
  const held: string[] = [];
  const count = async (table: SystemTable, noun: string) => {
    const params = new SqlParams(db.dialect);
    const row = await db.get(`SELECT COUNT(*) AS n FROM ${db.dialect.quoteIdent(table.table)}${where(keepCondition(db, table, params))}`, params.values);
    const n = Number(row?.n ?? 0);
    if (n > 0) held.push(`${table.table}: ${n} ${noun}${n === 1 ? '' : 's'}`);
  };
  for (const collection of collections.list()) await count({ table: collection.name, key: 'id' }, 'record');
  for (const table of systemTables) await count(table, 'row');
  return held;
}

/**
 * `causeway import`: loads an export into the configured database. The whole file is checked first; then, in one
 * transaction (kept whole or not at all), the schema is applied (collections created, or altered to match, such
 * as the `users` a new data directory starts with) and system rows and records go in, keeping ids, timestamps
 * and versions exactly. A target holding any records, admins, sessions or settings is refused unless `replace`,
 * which first empties the file's collections, those system tables and the change log (in the same transaction:
 * an import that fails leaves the target as it was).
 */
export async function importData(config: Config, file: string, replace: boolean): Promise<DataCounts> {
  const { schema, position } = await checkExport(file);
  return withDatabase(config, async (db, collections) => {
    const q = db.dialect.quoteIdent;
    const held = replace ? [] : await heldData(db, collections);
    if (held.length > 0) {
      throw new CausewayError('CONFIRMATION_REQUIRED', `The target database is not empty (${held.join(', ')}); import with --replace to empty the file's collections, admins, sessions and settings first.`);
    }
    const inFile = new Set(schema.collections.map((c) => c.name));
    const empty = async (tx: SqlExecutor) => {
      for (const { name } of collections.list().filter((c) => inFile.has(c.name))) await tx.run(`DELETE FROM ${q(name)}`);
      for (const table of systemTables) {
        const params = new SqlParams(db.dialect);
        await tx.run(`DELETE FROM ${q(table.table)}${where(keepCondition(db, table, params))}`, params.values);
      }
      await tx.run(`DELETE FROM ${q(changeLogTable)}`);
    };
    let counts: DataCounts = { records: {}, system: {} };
    const insertAll = async (tx: SqlExecutor, byName: ReadonlyMap<string, Collection>) => {
      counts = { records: Object.fromEntries(schema.collections.map((c) => [c.name, 0])), system: {} };
      await continueChangeLog(db, tx, position);
      for await (const { number, line } of readLines(file)) {
        if (number <= 2 || 'end' in line) continue;
        const row = line.row as Row;
        if (typeof line.system === 'string') {
          await insertRow(db, tx, line.system, Object.keys(row), Object.values(row));
          counts.system[line.system] = (counts.system[line.system] ?? 0) + 1;
        } else {
          const collection = byName.get(line.collection as string)!;
          await insertRecord(db, tx, collection, row);
          counts.records[collection.name]! += 1;
        }
      }
    };
    // Fields are matched by name, not by the ids another database gave them, so an existing collection is altered
    // only where the export differs. Nothing it alters holds data any more, so no change needs confirming.
    try {
      await collections.import(
        schema.collections.map((c) => withFieldIdsOf(c, collections.list().find((t) => t.name === c.name))),
        { confirm: true, ...(replace ? { before: empty } : {}), after: insertAll },
      );
    } catch (error) {
      if (isCausewayError(error)) throw error;
      throw new Error(`The database refused the import, so nothing was written: ${error instanceof Error ? error.message : String(error)}`);
    }
    return counts;
  });
}

/**
 * Makes the target's change log continue after the source's position, and marks it with an entry (of no
 * collection anyone subscribes to) so the position survives even before the first write, including into a
 * later export. A client resuming from the source's last position then gets nothing it did not see, and one
 * resuming from further back is told to resync: it is never shown this database's events as the source's.
 */
async function continueChangeLog(db: SqlDatabase, tx: SqlExecutor, position: number): Promise<void> {
  if (position === 0) return;
  const at = new Date().toISOString();
  await db.ddl.continueChangeLogAfter(tx, position);
  // Straight into the log, not through pending entries: continueChangeLogAfter holds the lock positions are given under.
  await appendChange(tx, sqlTemplate(db.dialect), undefined, importMarker, 'create', { id: importMarker, created: at, updated: at }, null, at, 1);
}

async function insertRow(db: SqlDatabase, tx: SqlExecutor, table: string, columns: readonly string[], values: readonly unknown[]): Promise<void> {
  const params = new SqlParams(db.dialect);
  const placeholders = values.map((value) => params.addRaw(value));
  await tx.run(`INSERT INTO ${db.dialect.quoteIdent(table)} (${columns.map(db.dialect.quoteIdent).join(', ')}) VALUES (${placeholders.join(', ')})`, params.values);
}

/** A stored row as the API values of every field, hidden ones included: the export must carry password hashes. */
function exportedRecord(collection: Collection, row: Row): Row {
  const record: Row = { id: row.id, created: row.created, updated: row.updated, [versionColumn]: Number(row[versionColumn]) };
  for (const field of collection.fields) record[field.name] = decodeValue(field, row[field.name]);
  return record;
}

function insertRecord(db: SqlDatabase, tx: SqlExecutor, collection: Collection, record: Row): Promise<void> {
  const system = ['id', 'created', 'updated', versionColumn];
  const columns = [...system, ...collection.fields.map((f) => f.name)];
  const values = [...system.map((c) => record[c] ?? null), ...collection.fields.map((f) => encodeValue(f, record[f.name] ?? null, db.dialect))];
  return insertRow(db, tx, collection.name, columns, values);
}

/** The exported definition, with the target's ids for the collection and for fields it already has by name. */
function withFieldIdsOf(exported: Omit<Collection, 'created' | 'updated'>, target: Collection | undefined): Omit<Collection, 'created' | 'updated'> {
  if (!target) return exported;
  return {
    ...exported,
    id: target.id,
    fields: exported.fields.map((field) => ({ ...field, id: target.fields.find((f) => f.name === field.name)?.id ?? field.id })),
  };
}
