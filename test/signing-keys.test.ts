import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDatabase, rotateStoredKeys, StoredKeySource, type SqlDatabase } from '@causeway/core';
import { loadConfig } from '../packages/server/src/config/config.js';
import { openDatabase } from '../packages/server/src/store/open-database.js';
import { dropTestDatabase, onPostgres, testDatabaseFlags } from './support/test-database.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-keys-db-'));
const opened: SqlDatabase[] = [];

async function database(): Promise<SqlDatabase> {
  const db = openDatabase(loadConfig({ dataDir, ...testDatabaseFlags(dataDir) }, {}).db);
  opened.push(db);
  await prepareDatabase(db);
  return db;
}

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  await dropTestDatabase(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('signing keys kept in the database', () => {
  it('gives instances opening a new database together one and the same key', async () => {
    const a = await database();
    const b = await database();
    // Two SQLite connections in one process cannot overlap write transactions (the second would block the event
    // loop the first needs to finish); separate processes can, and PostgreSQL is where instances start together.
    const [onA, onB] = onPostgres
      ? await Promise.all([StoredKeySource.open(a), StoredKeySource.open(b)])
      : [await StoredKeySource.open(a), await StoredKeySource.open(b)];
    expect(onA.ring.current.kid).toBe(onB.ring.current.kid);
    expect(Buffer.from(onA.ring.current.secret).equals(Buffer.from(onB.ring.current.secret))).toBe(true);
  });

  it('re-reads for an unknown key at most once a second, and on schedule whenever asked', async () => {
    const db = await database();
    const keys = await StoredKeySource.open(db);
    const first = await rotateStoredKeys(db);
    expect(await keys.refresh()).toBe(true);
    expect(keys.ring.current.kid).toBe(first.kid);
    expect(keys.ring.verifying.map((k) => k.kid)).toEqual([first.kid, ...first.kept]);
    const second = await rotateStoredKeys(db);
    expect(await keys.refresh()).toBe(false);
    expect(keys.ring.current.kid).toBe(first.kid);
    expect(await keys.reload()).toBe(true);
    expect(keys.ring.verifying.map((k) => k.kid)).toEqual([second.kid, first.kid]);
  });
});
