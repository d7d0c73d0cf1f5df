import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixedKeySource, StoredKeySource, type KeySource, type SqlDatabase, type StoredKey } from '@causeway/core';

/** Where earlier versions kept the signing keys; read once, to carry them into the database. */
function legacyKeyFilePath(dataDir: string): string {
  return path.join(dataDir, 'token-keys.json');
}

function legacyKeys(dataDir: string): StoredKey[] | undefined {
  const file = legacyKeyFilePath(dataDir);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: StoredKey[] };
  return Array.isArray(parsed.keys) && parsed.keys.length > 0 ? parsed.keys : undefined;
}

/**
 * The access-token keys: one from config (`tokenSecret`), or those stored in the database, made on first start
 * (from a key file an earlier version left in the data directory, so its tokens stay valid, else fresh).
 */
export function openKeySource(db: SqlDatabase, dataDir: string, tokenSecret: string | undefined): Promise<KeySource> {
  if (tokenSecret !== undefined) return Promise.resolve(fixedKeySource(tokenSecret));
  return StoredKeySource.open(db, () => legacyKeys(dataDir));
}
