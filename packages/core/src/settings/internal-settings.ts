import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import type { SqlTemplate } from '../sql/sql-template.js';
import { internalSettingPrefix, settingsTable } from './settings-service.js';

/**
 * Causeway's own rows in the settings table (deployment id, schema generation, signing keys), kept as text under
 * `internalSettingPrefix` + `name`, apart from what admins set.
 */
export async function readInternalSetting(executor: SqlExecutor, s: SqlTemplate, name: string): Promise<string | undefined> {
  const { text, params } = s.q`SELECT value FROM ${s.id(settingsTable)} WHERE key = ${internalSettingPrefix + name}`;
  const row = await executor.get(text, params);
  return row === undefined ? undefined : String(row.value);
}

/** Sets an internal row inside the caller's transaction. */
export async function writeInternalSetting(tx: SqlExecutor, s: SqlTemplate, name: string, value: string): Promise<void> {
  const { text, params } = s.q`INSERT INTO ${s.id(settingsTable)} (key, value) VALUES (${internalSettingPrefix + name}, ${value})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  await tx.run(text, params);
}

/**
 * The stored value, storing `initial()` first if there is none. Instances opening a new database together agree:
 * the first insert wins and every one reads it back.
 */
export async function settleInternalSetting(db: SqlDatabase, s: SqlTemplate, name: string, initial: () => string): Promise<string> {
  const stored = await readInternalSetting(db, s, name);
  if (stored !== undefined) return stored;
  const { text, params } = s.q`INSERT INTO ${s.id(settingsTable)} (key, value) VALUES (${internalSettingPrefix + name}, ${initial()}) ON CONFLICT (key) DO NOTHING`;
  await db.transaction((tx) => tx.run(text, params));
  const settled = await readInternalSetting(db, s, name);
  if (settled === undefined) throw new Error(`The internal setting '${name}' could not be stored.`);
  return settled;
}
