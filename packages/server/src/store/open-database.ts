import type { SqlDatabase } from '@causeway/core';
import type { DatabaseConfig } from '../config/config.js';
import { PostgresDatabase } from './postgres/postgres-database.js';
import { SqliteDatabase } from './sqlite/sqlite-database.js';
import { ensureWritableDataDirectory } from './sqlite/writable-data-directory.js';

/** The database the configuration names: the one place that picks a dialect. */
export function openDatabase(db: DatabaseConfig): SqlDatabase {
  if (db.kind === 'postgres') return new PostgresDatabase({ url: db.url, maxConnections: db.poolSize });
  ensureWritableDataDirectory(db.file);
  return new SqliteDatabase(db.file, { synchronous: db.synchronous });
}
