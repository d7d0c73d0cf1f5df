import type { ColumnKind, Field, SqlDdl } from '@causeway/core';
import { fieldTypeOf, adminsRealm, collectionIndexes, changeLogTable, collectionsTable, identitiesTable, oauthProvidersTable, oauthStatesTable, oneTimeTokensTable, passwordHashField, passkeysTable, secondFactorsTable, sessionsTable, hookCursorsTable, settingsTable, versionColumn } from '@causeway/core';
import { sqliteDialect } from './sqlite-dialect.js';
import { jobRunsTable } from '@causeway/core';

const q = sqliteDialect.quoteIdent;

/** SQLite's column type for each kind of column a field type asks for (SQLite has no boolean: 0 and 1). */
const columnTypes: Record<ColumnKind, string> = { text: 'TEXT', integer: 'INTEGER', real: 'REAL', boolean: 'INTEGER', json: 'TEXT' };

const columnType = (field: Field): string => columnTypes[fieldTypeOf(field).column(field)];

/** Columns added to system tables after their first release: [table, column, type]. */
const addedColumns: readonly [string, string, string][] = [[changeLogTable, 'previous', 'TEXT'], [changeLogTable, 'version', 'INTEGER']];

/**
 * SQLite schema statements. Tables are STRICT, so a value of the wrong storage type can never land even if
 * a bug slipped past validation; `required` is enforced by the core, which keeps table rebuilds simple.
 */
export const sqliteDdl: SqlDdl = {
  bootstrap: () => [
    `CREATE TABLE IF NOT EXISTS ${q(collectionsTable)} (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL UNIQUE, definition TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(changeLogTable)} (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, record_id TEXT NOT NULL, op TEXT NOT NULL, record TEXT NOT NULL, previous TEXT, created TEXT NOT NULL, version INTEGER) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(adminsRealm)} (id TEXT PRIMARY KEY NOT NULL, email TEXT NOT NULL UNIQUE, ${q(passwordHashField)} TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(sessionsTable)} (id TEXT PRIMARY KEY NOT NULL, family TEXT NOT NULL, realm TEXT NOT NULL, subject TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL, expires TEXT NOT NULL, used TEXT, revoked TEXT) STRICT`,
    `CREATE INDEX IF NOT EXISTS ${q(`${sessionsTable}__family`)} ON ${q(sessionsTable)} (family, revoked)`,
    `CREATE INDEX IF NOT EXISTS ${q(`${sessionsTable}__subject`)} ON ${q(sessionsTable)} (realm, subject)`,
    `CREATE TABLE IF NOT EXISTS ${q(jobRunsTable)} (job TEXT NOT NULL, scheduled_at TEXT NOT NULL, started TEXT NOT NULL, finished TEXT, ok TEXT, error TEXT, instance TEXT NOT NULL, PRIMARY KEY (job, scheduled_at)) STRICT`,
    `CREATE INDEX IF NOT EXISTS ${q(`${jobRunsTable}__started`)} ON ${q(jobRunsTable)} (started)`,
    `CREATE TABLE IF NOT EXISTS ${q(settingsTable)} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(hookCursorsTable)} (name TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL, owner TEXT, lease_until INTEGER NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(oneTimeTokensTable)} (token_hash TEXT PRIMARY KEY NOT NULL, purpose TEXT NOT NULL, realm TEXT NOT NULL, subject TEXT NOT NULL, expires TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(secondFactorsTable)} (owner TEXT PRIMARY KEY NOT NULL, realm TEXT NOT NULL, subject TEXT NOT NULL, secret TEXT NOT NULL, enabled TEXT NOT NULL, last_step TEXT NOT NULL, recovery TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(passkeysTable)} (id TEXT PRIMARY KEY NOT NULL, realm TEXT NOT NULL, subject TEXT NOT NULL, public_key TEXT NOT NULL, counter TEXT NOT NULL, transports TEXT NOT NULL, name TEXT NOT NULL, backed_up TEXT NOT NULL, created TEXT NOT NULL, last_used TEXT NOT NULL) STRICT`,
    `CREATE INDEX IF NOT EXISTS ${q(`${passkeysTable}__subject`)} ON ${q(passkeysTable)} (realm, subject)`,
    `CREATE TABLE IF NOT EXISTS ${q(oauthProvidersTable)} (key TEXT PRIMARY KEY NOT NULL, realm TEXT NOT NULL, name TEXT NOT NULL, settings TEXT NOT NULL, secret TEXT NOT NULL, updated TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(oauthStatesTable)} (state_hash TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, realm TEXT NOT NULL, payload TEXT NOT NULL, expires TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(identitiesTable)} (key TEXT PRIMARY KEY NOT NULL, id TEXT NOT NULL UNIQUE, realm TEXT NOT NULL, account TEXT NOT NULL, provider TEXT NOT NULL, subject TEXT NOT NULL, email TEXT NOT NULL, created TEXT NOT NULL) STRICT`,
    `CREATE INDEX IF NOT EXISTS ${q(`${identitiesTable}__account`)} ON ${q(identitiesTable)} (realm, account)`,
  ],
  upgrade: async (tx) => {
    for (const [table, column, type] of addedColumns) {
      const columns = await tx.all('SELECT name FROM pragma_table_info(?)', [table]);
      if (!columns.some((c) => c.name === column)) await tx.run(`ALTER TABLE ${q(table)} ADD COLUMN ${q(column)} ${type}`);
    }
  },
  // AUTOINCREMENT continues after the largest of MAX(seq) and the sqlite_sequence entry.
  continueChangeLogAfter: async (tx, seq) => {
    const updated = await tx.run('UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?', [seq, changeLogTable]);
    if (updated.changes === 0) await tx.run('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', [changeLogTable, seq]);
  },
  createTable: (collection, tableName) => {
    const columns = [
      'id TEXT PRIMARY KEY NOT NULL',
      'created TEXT NOT NULL',
      'updated TEXT NOT NULL',
      `${q(versionColumn)} INTEGER NOT NULL DEFAULT 1`,
      ...collection.fields.map((f) => `${q(f.name)} ${columnType(f)}`),
    ];
    return [`CREATE TABLE ${q(tableName)} (${columns.join(', ')}) STRICT`];
  },
  createIndexes: (collection) => collectionIndexes(collection).map(
    ({ name, fields, unique }) =>
      `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${q(name)} ON ${q(collection.name)} (${fields.map(q).join(', ')})`,
  ),
  dropTable: (tableName) => [`DROP TABLE IF EXISTS ${q(tableName)}`],
  renameTable: (from, to) => [`ALTER TABLE ${q(from)} RENAME TO ${q(to)}`],
};
