import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hooksDirectory } from './support/hooks-directory.js';
import { startInstance, type InstanceProcess } from './support/instance-process.js';
import { testPostgresServer } from './support/postgres-project.js';
import { serviceAvailable } from './support/services.js';
import { dropSchema, postgresUrlWithSchema } from './support/test-database.js';
import type { Json } from './support/test-server.js';

// `causeway serve` processes with a hooks directory, as an operator runs them: crashes, several instances,
// broken files and `--dev` reloads.

const admin = { email: 'admin@example.com', password: 'correct horse battery staple' };
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

async function call(base: string, method: string, pathname: string, body?: unknown, token = ''): Promise<{ status: number; body: Json }> {
  const response = await fetch(base + pathname, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates the first admin and a `notes` collection anyone may write; returns the admin's token. */
async function prepare(url: string): Promise<string> {
  const firstRun = await call(url, 'POST', '/api/admins/first-run', admin);
  expect(firstRun.status).toBe(201);
  const token = firstRun.body.token as string;
  expect((await call(url, 'POST', '/api/collections', { name: 'notes', fields: [{ name: 'title', type: 'text' }, { name: 'slug', type: 'text' }], ...open }, token)).status).toBe(201);
  return token;
}

async function eventually<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const started: InstanceProcess[] = [];
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(started.map((instance) => instance.stop('SIGKILL')));
  for (const cleanup of cleanups) await cleanup();
});

describe('after-commit hooks across a crash', () => {
  it('resume after SIGKILL between commit and hook: every committed change is handled, once', async () => {
    const hooks = hooksDirectory({});
    cleanups.push(hooks.remove);
    const done = path.join(hooks.dir, 'done.log');
    const blocked = path.join(hooks.dir, 'blocked');
    // The first process hangs in the hook on the note titled "block" (so it is killed between that note's commit
    // and its hook); the restarted one finds the marker and goes on.
    hooks.write('crash.ts', `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { defineExtension } from '@causeway/server';
export default defineExtension((causeway) => {
  causeway.afterCommit('notes', async (change) => {
    if (change.record.title === 'block' && !existsSync(${JSON.stringify(blocked)})) {
      writeFileSync(${JSON.stringify(blocked)}, String(change.seq));
      await new Promise(() => {});
    }
    appendFileSync(${JSON.stringify(done)}, change.seq + '\\n');
  });
});
`);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-hooks-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startInstance({ CAUSEWAY_HOOKS: hooks.dir }, { dataDir });
    started.push(first);
    const token = await prepare(first.url);
    const titles = Array.from({ length: 20 }, (_, i) => (i === 5 ? 'block' : `note ${i}`));
    const ids: string[] = [];
    for (const title of titles) ids.push((await call(first.url, 'POST', '/api/collections/notes/records', { title })).body.id);
    await eventually(() => existsSync(blocked), (found) => found);
    await first.stop('SIGKILL');
    expect(lines(done)).toHaveLength(5);

    const second = await startInstance({ CAUSEWAY_HOOKS: hooks.dir }, { dataDir });
    started.push(second);
    // The killed process's lease runs out first (10 s), then the new one takes the hook over from its position.
    const handled = await eventually(() => lines(done), (v) => v.length >= 20, 30_000);
    const changes = await call(second.url, 'GET', '/api/collections/notes/records?limit=100', undefined, token);
    expect(changes.body.items).toHaveLength(20);
    expect(handled).toHaveLength(20);
    expect(new Set(handled).size).toBe(20);
    expect(handled.map(Number)).toEqual([...handled.map(Number)].sort((a, b) => a - b));
    expect(Number(readFileSync(blocked, 'utf8'))).toBe(Number(handled[5]));
    await second.stop();
  }, 60_000);
});

describe('stopping with an after-commit hook that hangs', () => {
  it('exits on SIGTERM within the grace period, and the change runs again on the next start', async () => {
    const hooks = hooksDirectory({});
    cleanups.push(hooks.remove);
    const done = path.join(hooks.dir, 'done.log');
    const hung = path.join(hooks.dir, 'hung');
    hooks.write('hang.ts', `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { defineExtension } from '@causeway/server';
export default defineExtension((causeway) => {
  causeway.afterCommit('notes', async (change) => {
    if (!existsSync(${JSON.stringify(hung)})) {
      writeFileSync(${JSON.stringify(hung)}, '');
      await new Promise(() => {});
    }
    appendFileSync(${JSON.stringify(done)}, change.seq + '\\n');
  });
});
`);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-hooks-hang-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startInstance({ CAUSEWAY_HOOKS: hooks.dir }, { dataDir });
    started.push(first);
    await prepare(first.url);
    await call(first.url, 'POST', '/api/collections/notes/records', { title: 'hangs' });
    await eventually(() => existsSync(hung), (found) => found);
    const stopping = Date.now();
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(8000);
    expect(first.output()).toContain('did not finish before the server stopped');
    const second = await startInstance({ CAUSEWAY_HOOKS: hooks.dir }, { dataDir });
    started.push(second);
    expect(await eventually(() => lines(done), (v) => v.length >= 1, 30_000)).toHaveLength(1);
    await second.stop();
  }, 60_000);
});

const postgres = await serviceAvailable('PostgreSQL', '127.0.0.1', 5432);

describe.skipIf(!postgres)('two instances on one PostgreSQL', () => {
  it('handle each committed change exactly once between them', async () => {
    const hooks = hooksDirectory({});
    cleanups.push(hooks.remove);
    const done = path.join(hooks.dir, 'done.log');
    hooks.write('shared.ts', `
import { appendFileSync } from 'node:fs';
import { defineExtension } from '@causeway/server';
export default defineExtension((causeway) => {
  causeway.afterCommit('notes', (change) => { appendFileSync(${JSON.stringify(done)}, change.seq + ' ' + process.pid + '\\n'); });
});
`);
    const schema = `cw_hooks_${randomBytes(4).toString('hex')}`;
    cleanups.push(() => dropSchema(testPostgresServer, schema));
    const env = { CAUSEWAY_HOOKS: hooks.dir, CAUSEWAY_DATABASE_URL: postgresUrlWithSchema(testPostgresServer, schema) };
    const a = await startInstance(env);
    const b = await startInstance(env);
    started.push(a, b);
    await prepare(a.url);
    await eventually(() => call(b.url, 'GET', '/api/collections/notes/records'), (r) => r.status === 200);
    const writes = Array.from({ length: 60 }, (_, i) => call(i % 2 === 0 ? a.url : b.url, 'POST', '/api/collections/notes/records', { title: `n${i}` }));
    const created = await Promise.all(writes);
    expect(created.every((r) => r.status === 201)).toBe(true);
    const handled = await eventually(() => lines(done), (v) => v.length >= 60, 30_000);
    // A moment more: a second run of any change would show up now.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const seqs = lines(done).map((line) => Number(line.split(' ')[0]));
    expect(seqs).toHaveLength(60);
    expect(new Set(seqs).size).toBe(60);
    expect(handled.length).toBe(60);
  }, 60_000);
});

describe('loading the hooks directory', () => {
  it('refuses to start with a broken file, naming the file, the line and what is wrong', async () => {
    const hooks = hooksDirectory({
      'good.ts': `import { defineExtension } from '@causeway/server';\nexport default defineExtension(() => {});\n`,
      'broken.ts': `import { defineExtension } from '@causeway/server';\n\nexport default defineExtension((causeway) => {\n  causeway.beforeCreate('notes', ({ data }) => { data.title = ; });\n});\n`,
      'no-default.ts': `export const value = 1;\n`,
    });
    cleanups.push(hooks.remove);
    const failure = await startInstance({ CAUSEWAY_HOOKS: hooks.dir }).then(
      (instance) => {
        started.push(instance);
        return '';
      },
      (error: Error) => error.message,
    );
    expect(failure).toContain('the instance exited while starting');
    expect(failure).toMatch(/broken\.ts:4:\d+: Unexpected ";"/);
    expect(failure).toContain('no-default.ts: must default-export defineExtension');
  });

  it("loads hooks/ beside the data directory by default, each top-level file once; helpers, '_' files, declarations and types-only files are not extensions", async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'causeway-hooks-project-'));
    cleanups.push(() => rmSync(project, { recursive: true, force: true }));
    const hooks = path.join(project, 'hooks');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.join(hooks, 'lib'), { recursive: true });
    writeFileSync(path.join(hooks, 'lib', 'slug.ts'), `export const slugify = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');\nexport default 'not an extension';\n`);
    writeFileSync(path.join(hooks, '_prefix.ts'), `export const prefix = 'p-';\nexport default 'not an extension either';\n`);
    writeFileSync(path.join(hooks, 'causeway-types.ts'), `export type Schema = { notes: { record: { title: string | null }; create: { title?: string | null }; update: { title?: string | null } } };\n`);
    writeFileSync(path.join(hooks, 'globals.d.ts'), `declare const nothing: string;\n`);
    writeFileSync(path.join(hooks, 'notes.ts'), `import { defineExtension } from '@causeway/server';\nimport type { Schema } from './causeway-types';\nimport { slugify } from './lib/slug';\nimport { prefix } from './_prefix';\nexport default defineExtension<Schema>((causeway) => {\n  causeway.beforeCreate('notes', (event) => { (event.data as Record<string, unknown>).slug = prefix + slugify(String(event.data.title)); });\n});\n`);
    const instance = await startInstance({}, { dataDir: path.join(project, 'causeway_data') });
    started.push(instance);
    await prepare(instance.url);
    const created = await call(instance.url, 'POST', '/api/collections/notes/records', { title: 'Hello World' });
    expect(created.body.slug).toBe('p-hello-world');
    await instance.stop();
  });

  it('refuses to start when a setup throws, or when --hooks names no directory', async () => {
    const hooks = hooksDirectory({ 'throws.ts': `import { defineExtension } from '@causeway/server';\nexport default defineExtension((causeway) => {\n  causeway.beforeCreate('notes', 'not a function' as never);\n});\n` });
    cleanups.push(hooks.remove);
    const thrown = await startInstance({ CAUSEWAY_HOOKS: hooks.dir }).then(() => '', (error: Error) => error.message);
    expect(thrown).toContain('throws.ts:3: beforeCreate: the hook must be a function');
    const missing = await startInstance({ CAUSEWAY_HOOKS: path.join(hooks.dir, 'nope') }).then(() => '', (error: Error) => error.message);
    expect(missing).toContain('nope: no such directory');
  });

  it('with --dev, reloads on change and keeps the previous hooks while a file is broken', async () => {
    const version = (v: string) => `import { defineExtension } from '@causeway/server';\nexport default defineExtension((causeway) => {\n  causeway.beforeCreate('notes', ({ data }) => { data.slug = '${v}'; });\n});\n`;
    const hooks = hooksDirectory({ 'slug.ts': version('v1') });
    cleanups.push(hooks.remove);
    const instance = await startInstance({ CAUSEWAY_HOOKS: hooks.dir, CAUSEWAY_DEV: 'true' });
    started.push(instance);
    await prepare(instance.url);
    const slug = async () => (await call(instance.url, 'POST', '/api/collections/notes/records', { title: 't' })).body.slug as string;
    expect(await slug()).toBe('v1');
    hooks.write('slug.ts', version('v2'));
    expect(await eventually(slug, (s) => s === 'v2', 10_000)).toBe('v2');
    hooks.write('slug.ts', 'export default defineExtension((causeway) => {');
    await eventually(() => instance.output(), (log) => log.includes('hooks not reloaded'), 10_000);
    expect(instance.output()).toMatch(/hooks not reloaded \(the previous ones stay in force\).*slug\.ts:1:\d+/);
    expect(await slug()).toBe('v2');
    hooks.write('slug.ts', version('v3'));
    expect(await eventually(slug, (s) => s === 'v3', 10_000)).toBe('v3');
  }, 40_000);
});

describe('a hook that throws', () => {
  it('answers 500 with the request id, logs the error under that id naming the hook, and the server goes on', async () => {
    const hooks = hooksDirectory({
      'crash.ts': `import { defineExtension } from '@causeway/server';\nexport default defineExtension((causeway) => {\n  causeway.beforeCreate('notes', () => { throw new Error('a bug in a hook'); });\n});\n`,
    });
    cleanups.push(hooks.remove);
    const instance = await startInstance({ CAUSEWAY_HOOKS: hooks.dir });
    started.push(instance);
    await prepare(instance.url);
    const response = await fetch(`${instance.url}/api/collections/notes/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 't' }) });
    expect(response.status).toBe(500);
    const body = (await response.json()) as Json;
    expect(body.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toContain('a bug in a hook');
    const requestId = response.headers.get('x-request-id')!;
    const logged = await eventually(() => instance.output().split('\n').filter((line) => line.includes(requestId) && line.includes('request failed')), (found) => found.length > 0, 5000);
    expect(logged[0]).toContain('hook crash.ts beforeCreate(notes) failed: a bug in a hook');
    expect((await call(instance.url, 'GET', '/api/health')).status).toBe(200);
    expect(instance.child.exitCode).toBeNull();
  });
});
