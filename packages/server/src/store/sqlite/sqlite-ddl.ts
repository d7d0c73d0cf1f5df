import type { Field, SqlDdl } from '@causeway/core';
import { adminsRealm, collectionIndexes, changeLogTable, collectionsTable, hookCursorsTable, oneTimeTokensTable, passwordHashField, secondFactorsTable, sessionsTable, settingsTable, versionColumn } from '@causeway/core';
import { sqliteDialect } from './sqlite-dialect.js';

const q = sqliteDialect.quoteIdent;

function columnType(field: Field): string {
  if (field.type === 'number') return field.integer ? 'INTEGER' : 'REAL';
  if (field.type === 'bool') return 'INTEGER';
  return 'TEXT';
}

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
    `CREATE TABLE IF NOT EXISTS ${q(settingsTable)} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(hookCursorsTable)} (name TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL, owner TEXT, lease_until INTEGER NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(oneTimeTokensTable)} (token_hash TEXT PRIMARY KEY NOT NULL, purpose TEXT NOT NULL, realm TEXT NOT NULL, subject TEXT NOT NULL, expires TEXT NOT NULL) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${q(secondFactorsTable)} (owner TEXT PRIMARY KEY NOT NULL, realm TEXT NOT NULL, subject TEXT NOT NULL, secret TEXT NOT NULL, enabled TEXT NOT NULL, last_step TEXT NOT NULL, recovery TEXT NOT NULL) STRICT`,
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
