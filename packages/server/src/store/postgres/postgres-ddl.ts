import type { ColumnKind, Field, SqlDdl } from '@causeway/core';
import { fieldTypeOf, adminsRealm, changeLogTable, collectionIndexes, collectionsTable, identitiesTable, oauthProvidersTable, oauthStatesTable, oneTimeTokensTable, passwordHashField, passkeysTable, secondFactorsTable, sessionsTable, hookCursorsTable, settingsTable, versionColumn } from '@causeway/core';
import { createHash } from 'node:crypto';
import { positionsLock } from './advisory-locks.js';
import { pendingChangesTable } from './change-sequencer.js';
import { jobRunsTable } from '@causeway/core';
import { postgresDialect } from './postgres-dialect.js';

const q = postgresDialect.quoteIdent;
/** Every text column sorts and compares by code point, as SQLite and the in-memory matcher do. */
const text = 'TEXT COLLATE "C"';

/**
 * PostgreSQL's column type for each kind of column a field type asks for. Integers are DOUBLE PRECISION too: an
 * integer field compared with a fractional filter value must not fail to parse. JSON is text, like lists.
 */
const columnTypes: Record<ColumnKind, string> = { text, integer: 'DOUBLE PRECISION', real: 'DOUBLE PRECISION', boolean: 'BOOLEAN', json: text };

const columnType = (field: Field): string => columnTypes[fieldTypeOf(field).column(field)];

const maxIdentifierBytes = 63;

/**
 * A derived name (index, constraint) that PostgreSQL keeps whole. It would cut longer names to 63 bytes, so two
 * indexes of a long-named collection could end up with one name (and `IF NOT EXISTS` silently skip the second);
 * a long name is instead shortened with a hash of the whole, still unique and the same every time.
 */
function fit(name: string): string {
  if (Buffer.byteLength(name) <= maxIdentifierBytes) return name;
  return `${name.slice(0, maxIdentifierBytes - 17)}_${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

/** Columns added to system tables after their first release: [table, column, type]. */
const addedColumns: readonly [string, string, string][] = [[changeLogTable, 'previous', text], [changeLogTable, 'version', 'BIGINT'], [changeLogTable, 'draw', 'BIGINT']];

const requireIcu = `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
    RAISE EXCEPTION 'Causeway needs a PostgreSQL built with ICU (collation "und-x-icu" is missing)';
  END IF;
END $$`;

/**
 * PostgreSQL schema statements, in `schema` (created if missing). The change log's sequence is an identity
 * column, given out only by the ChangeSequencer, one batch at a time under a lock, so it follows commit order;
 * writers append to the pending table, whose `draw` is the order they wrote in.
 */
export function postgresDdl(schema: string): SqlDdl {
  return {
    bootstrap: () => [
      requireIcu,
      `CREATE SCHEMA IF NOT EXISTS ${q(schema)}`,
      `CREATE TABLE IF NOT EXISTS ${q(collectionsTable)} (id ${text} PRIMARY KEY, name ${text} NOT NULL UNIQUE, definition TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${q(changeLogTable)} (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, collection ${text} NOT NULL, record_id ${text} NOT NULL, op TEXT NOT NULL, record TEXT NOT NULL, previous TEXT, created ${text} NOT NULL, version BIGINT, draw BIGINT)`,
      `CREATE TABLE IF NOT EXISTS ${q(pendingChangesTable)} (draw BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, collection ${text} NOT NULL, record_id ${text} NOT NULL, op TEXT NOT NULL, record TEXT NOT NULL, previous TEXT, created ${text} NOT NULL, version BIGINT)`,
      `CREATE TABLE IF NOT EXISTS ${q(adminsRealm)} (id ${text} PRIMARY KEY, email ${text} NOT NULL UNIQUE, ${q(passwordHashField)} TEXT NOT NULL, created ${text} NOT NULL, updated ${text} NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${q(sessionsTable)} (id ${text} PRIMARY KEY, family ${text} NOT NULL, realm ${text} NOT NULL, subject ${text} NOT NULL, token_hash ${text} NOT NULL UNIQUE, created ${text} NOT NULL, expires ${text} NOT NULL, used ${text}, revoked ${text})`,
      `CREATE INDEX IF NOT EXISTS ${q(`${sessionsTable}__family`)} ON ${q(sessionsTable)} (family, revoked)`,
      `CREATE INDEX IF NOT EXISTS ${q(`${sessionsTable}__subject`)} ON ${q(sessionsTable)} (realm, subject)`,
      `CREATE TABLE IF NOT EXISTS ${q(jobRunsTable)} (job ${text} NOT NULL, scheduled_at ${text} NOT NULL, started ${text} NOT NULL, finished ${text}, ok ${text}, error TEXT, instance ${text} NOT NULL, PRIMARY KEY (job, scheduled_at))`,
      `CREATE INDEX IF NOT EXISTS ${q(`${jobRunsTable}__started`)} ON ${q(jobRunsTable)} (started)`,
      `CREATE TABLE IF NOT EXISTS ${q(settingsTable)} (key ${text} PRIMARY KEY, value TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${q(hookCursorsTable)} (name ${text} PRIMARY KEY, seq BIGINT NOT NULL, owner ${text}, lease_until BIGINT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${q(oneTimeTokensTable)} (token_hash ${text} PRIMARY KEY, purpose ${text} NOT NULL, realm ${text} NOT NULL, subject ${text} NOT NULL, expires ${text} NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${q(secondFactorsTable)} (owner ${text} PRIMARY KEY, realm ${text} NOT NULL, subject ${text} NOT NULL, secret TEXT NOT NULL, enabled ${text} NOT NULL, last_step ${text} NOT NULL, recovery TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${q(passkeysTable)} (id ${text} PRIMARY KEY, realm ${text} NOT NULL, subject ${text} NOT NULL, public_key TEXT NOT NULL, counter ${text} NOT NULL, transports TEXT NOT NULL, name TEXT NOT NULL, backed_up ${text} NOT NULL, created ${text} NOT NULL, last_used ${text} NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS ${q(`${passkeysTable}__subject`)} ON ${q(passkeysTable)} (realm, subject)`,
      `CREATE TABLE IF NOT EXISTS ${q(oauthProvidersTable)} (key ${text} PRIMARY KEY, realm ${text} NOT NULL, name ${text} NOT NULL, settings TEXT NOT NULL, secret TEXT NOT NULL, updated ${text} NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${q(oauthStatesTable)} (state_hash ${text} PRIMARY KEY, kind ${text} NOT NULL, realm ${text} NOT NULL, payload TEXT NOT NULL, expires ${text} NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${q(identitiesTable)} (key ${text} PRIMARY KEY, id ${text} NOT NULL UNIQUE, realm ${text} NOT NULL, account ${text} NOT NULL, provider ${text} NOT NULL, subject ${text} NOT NULL, email ${text} NOT NULL, created ${text} NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS ${q(`${identitiesTable}__account`)} ON ${q(identitiesTable)} (realm, account)`,
    ],
    upgrade: async (tx) => {
      for (const [table, column, type] of addedColumns) await tx.run(`ALTER TABLE ${q(table)} ADD COLUMN IF NOT EXISTS ${q(column)} ${type}`);
      // After the column exists on logs made before it: a writer finds its entries' positions by their draws.
      await tx.run(`CREATE UNIQUE INDEX IF NOT EXISTS ${q(`${changeLogTable}__draw`)} ON ${q(changeLogTable)} (draw) WHERE draw IS NOT NULL`);
    },
    continueChangeLogAfter: async (tx, seq) => {
      if (seq < 1) return;
      // No batch of positions may be given out meanwhile: this one writes to the change log directly.
      const lock = positionsLock(schema);
      await tx.run(lock.sql, lock.params);
      await tx.run(
        `SELECT setval(pg_get_serial_sequence($1, 'seq'), GREATEST($2::bigint, (SELECT COALESCE(MAX(seq), 0) FROM ${q(changeLogTable)})))`,
        [q(changeLogTable), seq],
      );
    },
    createTable: (collection, tableName) => {
      const columns = [
        `id ${text} NOT NULL`,
        `created ${text} NOT NULL`,
        `updated ${text} NOT NULL`,
        `${q(versionColumn)} BIGINT NOT NULL DEFAULT 1`,
        ...collection.fields.map((f) => `${q(f.name)} ${columnType(f)}`),
        // Named after the table it is created for, so renameTable can carry the name along.
        `CONSTRAINT ${q(fit(`${tableName}__pkey`))} PRIMARY KEY (id)`,
      ];
      return [`CREATE TABLE ${q(tableName)} (${columns.join(', ')})`];
    },
    // NULLS FIRST like the sorts (cursor.ts): scanned forward the index serves ASC NULLS FIRST, backward
    // DESC NULLS LAST, so both directions of a sort read a page straight from it.
    createIndexes: (collection) => collectionIndexes(collection).map(
      ({ name, fields, unique }) =>
        `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${q(fit(name))} ON ${q(collection.name)} (${fields.map((f) => `${q(f)} NULLS FIRST`).join(', ')})`,
    ),
    dropTable: (tableName) => [`DROP TABLE IF EXISTS ${q(tableName)}`],
    // The primary key's index is a relation in the schema's namespace too: it must leave the temporary name.
    renameTable: (from, to) => [`ALTER TABLE ${q(from)} RENAME TO ${q(to)}`, `ALTER TABLE ${q(to)} RENAME CONSTRAINT ${q(fit(`${from}__pkey`))} TO ${q(fit(`${to}__pkey`))}`],
  };
}
