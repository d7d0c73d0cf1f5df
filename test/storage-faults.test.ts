import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { canMount, mountSmallDisk, readOnlyDirectory, type SmallDisk } from './support/small-disk.js';
import { onPostgres, testPostgresUrl, testSchemaName } from './support/test-database.js';
import { startTestServer, type TestResponse, type TestServer } from './support/test-server.js';

// A full disk is an operator's problem, not a bug: writes answer 503 STORAGE_FULL (nothing written), reads go on,
// and the server recovers by itself once space is back. These tests fill a real (tmpfs) file system, which needs
// root; elsewhere they skip.
const bigDefinition = { name: 'big', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'body', type: 'text', max: 100_000 }] };
const body = (n: number) => `${n}:`.padEnd(20_000, 'x');

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Writes until the disk refuses; then checks the refusal, the reads, and the recovery once `disk.free()`. */
async function fillAndRecover(t: TestServer, disk: SmallDisk): Promise<void> {
  disk.fill(64 * 1024);
  const acknowledged: string[] = [];
  let refused: TestResponse | undefined;
  for (let n = 0; n < 200 && !refused; n++) {
    const response = await t.request('POST', '/api/collections/big/records', { body: body(n) }, { authorization: '' });
    if (response.status === 201) acknowledged.push(response.body.id);
    else refused = response;
  }
  expect(refused, 'the disk never filled').toBeDefined();
  expect(refused!.status).toBe(503);
  expect(refused!.headers.get('content-type')).toContain('application/problem+json');
  expect(refused!.body.code).toBe('STORAGE_FULL');
  // Reads are unaffected, and every acknowledged write is there.
  const listed = await t.request('GET', '/api/collections/big/records?limit=200&fields=id', undefined, { authorization: '' });
  expect(listed.status).toBe(200);
  expect(listed.body.items.map((r: { id: string }) => r.id).sort()).toEqual([...acknowledged].sort());
  expect((await t.request('GET', '/api/health')).status).toBe(200);

  disk.free();
  const after = await t.request('POST', '/api/collections/big/records', { body: body(999) }, { authorization: '' });
  expect(after.status).toBe(201);
  const count = await t.request('GET', '/api/collections/big/records?limit=1&count=true', undefined, { authorization: '' });
  expect(count.body.total).toBe(acknowledged.length + 1);
}

describe('a full disk', () => {
  it.skipIf(onPostgres || !canMount())('answers 503 STORAGE_FULL on SQLite and recovers when space is back', async () => {
    const disk = mountSmallDisk(6 * 1024 * 1024)!;
    cleanups.push(() => disk.unmount());
    const t = await startTestServer({ dataDir: path.join(disk.dir, 'data') });
    cleanups.push(() => t.stop(true));
    await t.request('POST', '/api/collections', bigDefinition);
    await fillAndRecover(t, disk);
  });

  // PostgreSQL on this machine (as in CI): the collection's table is moved to a tablespace on a small tmpfs.
  const localPostgres = onPostgres && ['127.0.0.1', 'localhost'].includes(new URL(testPostgresUrl ?? 'postgres://x').hostname);
  it.skipIf(!localPostgres || !canMount())('answers 503 STORAGE_FULL on PostgreSQL (53100) and recovers when space is back', async () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    const disk = mountSmallDisk(2 * 1024 * 1024, { uid, gid })!;
    cleanups.push(() => disk.unmount());
    const sql = postgres(testPostgresUrl!, { max: 1, onnotice: () => undefined });
    const tablespace = `cw_full_${path.basename(disk.dir).replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    await sql.unsafe(`CREATE TABLESPACE ${tablespace} LOCATION '${disk.dir}'`);
    // Cleanups run in reverse: the test server's schema (and the table in the tablespace) goes first.
    cleanups.push(async () => {
      await sql.unsafe(`DROP TABLESPACE IF EXISTS ${tablespace}`);
      await sql.end();
    });
    const t = await startTestServer();
    cleanups.push(() => t.stop());
    await t.request('POST', '/api/collections', bigDefinition);
    await sql.unsafe(`ALTER TABLE "${testSchemaName(t.dataDir)}"."big" SET TABLESPACE ${tablespace}`);
    await fillAndRecover(t, disk);
  });
});

describe('a read-only data directory', () => {
  it.skipIf(onPostgres)('stops `causeway serve` at start with a message naming the directory and what to do', () => {
    const readOnly = readOnlyDirectory();
    cleanups.push(() => readOnly.release());
    const result = spawnSync(process.execPath, [path.resolve('packages/server/dist/cli/main.js'), 'serve', '--port', '0', '--data-dir', readOnly.dir], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, CAUSEWAY_LOG_LEVEL: 'warn', CAUSEWAY_DATABASE_URL: '' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(readOnly.dir);
    expect(result.stderr).toMatch(/read-only|not writable/);
    expect(result.stderr).toContain('--data-dir');
    expect(result.stderr).not.toContain('unable to open database file');
  });
});
