import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startInstance, type InstanceProcess } from './support/instance-process.js';
import { dropTestDatabase, testDatabaseEnv } from './support/test-database.js';
import { adminEmail, adminPassword, startTestServer, type TestServer } from './support/test-server.js';

// docs/rest.md, "Files": the files and the record are one unit. A write that dies with the process (SIGKILL while
// its files stream in) leaves objects no record holds; after a restart the orphan sweep deletes them.

const json = { 'content-type': 'application/json' };
const boundary = 'causewaycrashtest';
const dirs: string[] = [];
const instances: InstanceProcess[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  for (const instance of instances) await instance.stop('SIGKILL');
  for (const server of servers) await server.stop();
  for (const dir of dirs) {
    rmSync(dir, { recursive: true, force: true });
    await dropTestDatabase(dir);
  }
});

function storedFiles(dataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else found.push(path.relative(dataDir, full));
    }
  };
  walk(path.join(dataDir, 'storage'));
  return found;
}

/** Opens a multipart create and writes `parts` (raw), leaving the body unfinished. */
function openUpload(url: string, pathname: string, headers: Record<string, string>): ClientRequest {
  const request = httpRequest(`${url}${pathname}`, { method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` } });
  request.on('error', () => undefined);
  return request;
}

const filePart = (field: string, name: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`;

describe('a crash during an upload', () => {
  it('leaves only objects that the sweep deletes after a restart, and no record', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-files-crash-'));
    dirs.push(dataDir);
    const first = await startInstance(testDatabaseEnv(dataDir), { dataDir });
    instances.push(first);
    const admin = await fetch(`${first.url}/api/admins/first-run`, { method: 'POST', headers: json, body: JSON.stringify({ email: adminEmail, password: adminPassword }) });
    const { token } = (await admin.json()) as { token: string };
    const created = await fetch(`${first.url}/api/collections`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'uploads', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'files', type: 'file', multiple: true, maxSize: 100 * 1024 * 1024 }] }),
    });
    expect(created.status).toBe(201);

    // One whole file, then half of a second one still streaming when the process dies.
    const upload = openUpload(first.url, '/api/collections/uploads/records', {});
    upload.write(`${filePart('files', 'whole.txt')}${'a'.repeat(64 * 1024)}\r\n`);
    upload.write(`${filePart('files', 'half.txt')}${'b'.repeat(256 * 1024)}`);
    await expect.poll(() => storedFiles(dataDir).length, { timeout: 10_000 }).toBe(2);
    expect(storedFiles(dataDir).some((file) => file.endsWith('.partial'))).toBe(true);
    await first.stop('SIGKILL');

    const restarted = await startTestServer({ dataDir });
    servers.push(restarted);
    expect((await restarted.request('GET', '/api/collections/uploads/records')).body.items).toEqual([]);
    // Younger than the grace period: a write in flight could still hold them.
    expect(await restarted.server.sweepFiles()).toBe(0);
    const past = new Date(Date.now() - 2 * 3600_000);
    for (const file of storedFiles(dataDir)) utimesSync(path.join(dataDir, file), past, past);
    expect(await restarted.server.sweepFiles()).toBe(2);
    expect(storedFiles(dataDir)).toEqual([]);
  });
});

describe('a slow upload', () => {
  // What a slowloris upload (a few bytes, then nothing) holds: one connection and a partial file, for the timeout.
  it('is dropped after the idle timeout with 408, and leaves nothing stored', async () => {
    const t = await startTestServer({ config: { uploadIdleTimeout: 1 } });
    servers.push(t);
    await t.request('POST', '/api/collections', { name: 'slow', createRule: '', fields: [{ name: 'file', type: 'file' }] });
    const upload = openUpload(t.url, '/api/collections/slow/records', {});
    const answered = new Promise<number>((resolve) => upload.on('response', (response) => resolve(response.statusCode ?? 0)));
    upload.write(`${filePart('file', 'slow.txt')}${'x'.repeat(8 * 1024)}`);
    const started = Date.now();
    expect(await answered).toBe(408);
    expect(Date.now() - started).toBeLessThan(5000);
    upload.destroy();
    expect(storedFiles(t.dataDir).filter((file) => !file.endsWith('.partial'))).toEqual([]);
    await expect.poll(() => storedFiles(t.dataDir)).toEqual([]);
  });
});
