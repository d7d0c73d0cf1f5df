import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCauseway, type Causeway } from '../packages/server/src/extend/create-causeway.js';
import { defineExtension } from '../packages/server/src/extend/extender.js';
import { connect } from './support/realtime-client.js';
import { dropTestDatabase, testDatabaseFlags } from './support/test-database.js';
import type { Json } from './support/test-server.js';

/** What `causeway types` would write for the collection this file makes. */
type Schema = {
  notes: {
    record: { id: string; created: string; updated: string; text: string };
    create: { id?: string; text: string };
    update: { text?: string };
  };
};

const notes = defineExtension<Schema>((causeway) => {
  causeway.route('POST', '/api/custom/shout', { auth: 'anyone', body: z.object({ text: z.string() }) }, ({ body }) => ({ text: body.text.toUpperCase() }));
});

const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-library-'));
let causeway: Causeway<Schema>;
let host: FastifyInstance;
let url: string;
let adminToken: string;

async function call(method: string, pathname: string, body?: unknown, token?: string): Promise<{ status: number; headers: Headers; body: Json }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url + pathname, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  causeway = await createCauseway<Schema>({ dataDir, logLevel: 'silent', passwordCost: 10, bodyLimit: 4096, sqliteSynchronous: 'normal', ...testDatabaseFlags(dataDir), extensions: [notes] });
  await causeway.server.auth.createAdmin('admin@example.com', 'correct horse battery staple');
  adminToken = (await causeway.server.auth.signIn('_admins', 'admin@example.com', 'correct horse battery staple')).token;
  // The test's own app, with routes of its own (one under /api/ too) and its own JSON bodies.
  host = Fastify({ bodyLimit: 1024 * 1024 });
  host.get('/hello', async () => ({ from: 'host' }));
  host.get('/api/host-status', async () => ({ from: 'host', under: 'api' }));
  host.post('/echo', async (request) => ({ echoed: request.body }));
  await causeway.mount(host);
  url = await host.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await host.close();
  await causeway.close();
  rmSync(dataDir, { recursive: true, force: true });
  await dropTestDatabase(dataDir);
});

describe('Causeway mounted in an existing Fastify app', () => {
  it('leaves the host its own routes, its own body parsing and its routes under /api/', async () => {
    expect((await call('GET', '/hello')).body).toEqual({ from: 'host' });
    expect((await call('GET', '/api/host-status')).body).toEqual({ from: 'host', under: 'api' });
    expect((await call('POST', '/echo', { a: [1, 2] })).body).toEqual({ echoed: { a: [1, 2] } });
  });

  it('serves the REST API, custom routes and its problems through the host', async () => {
    expect((await call('GET', '/api/health')).body).toEqual({ status: 'ok' });
    const created = await call('POST', '/api/collections', { name: 'notes', fields: [{ name: 'text', type: 'text', required: true }], listRule: '', viewRule: '', createRule: '@request.auth.id != ""' }, adminToken);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await call('POST', '/api/custom/shout', { text: 'hi' })).body).toEqual({ text: 'HI' });
    const missing = await call('GET', '/api/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });

  it("applies Causeway's own body limit and JSON parsing to what it is handed, not the host's", async () => {
    const tooLarge = await call('POST', '/api/custom/shout', { text: 'x'.repeat(8000) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await call('POST', '/api/custom/shout', '{"text":')).body.code).toBe('MALFORMED_JSON');
  });

  it('takes realtime WebSocket connections through the host', async () => {
    const client = await connect({ url }, adminToken);
    try {
      expect(await client.sync()).toBeGreaterThanOrEqual(0);
    } finally {
      client.close();
    }
  });
});

describe('the records service from server code', () => {
  it('acts as nobody until told: the create rule refuses anonymous writes', async () => {
    await expect(causeway.records.create('notes', { text: 'anonymous' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('acts as admin only when asked, and as a user given their caller', async () => {
    const note = await causeway.records.asAdmin().create('notes', { text: 'from the server' });
    expect(note.text).toBe('from the server');
    const signedUp = await call('POST', '/api/collections/users/auth/sign-up', { email: 'lib@example.com', password: 'a password long enough' });
    const caller = await causeway.authenticate(signedUp.body.token);
    const mine = await causeway.records.as(caller).create('notes', { text: 'as a user' });
    expect((await causeway.records.get('notes', mine.id)).text).toBe('as a user');
    expect((await call('GET', `/api/collections/notes/records/${note.id}`)).body.text).toBe('from the server');
  });

  it('is typed by the generated schema', () => {
    // Compiled by `npm run typecheck` (tsconfig.test.json), never run: each line must fail to compile.
    const wrong = () => {
      // @ts-expect-error 'titel' is no field of notes
      void causeway.records.asAdmin().create('notes', { titel: 'x' });
      // @ts-expect-error no collection 'nope' in the schema
      void causeway.records.get('nope', 'id');
      // @ts-expect-error text is a string
      void causeway.records.asAdmin().update('notes', 'id', { text: 1 });
    };
    expect(typeof wrong).toBe('function');
  });
});

describe('close()', () => {
  it('stops everything it started: the process exits on its own afterwards', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'causeway-close-'));
    const script = path.join(dir, 'embed.mjs');
    const entry = pathToFileURL(path.resolve('packages/server/dist/index.js')).href;
    const fastify = pathToFileURL(createRequire(import.meta.url).resolve('fastify')).href;
    writeFileSync(script, `
      import Fastify from ${JSON.stringify(fastify)};
      import { createCauseway, defineExtension } from ${JSON.stringify(entry)};
      let runs = 0;
      const ext = defineExtension((c) => {
        c.cron('tick', '* * * * * *', () => { runs++; });
        c.route('GET', '/api/custom/ping', { auth: 'anyone' }, () => ({ pong: true }));
      });
      const causeway = await createCauseway({ dataDir: ${JSON.stringify(path.join(dir, 'data'))}, logLevel: 'silent', extensions: [ext], env: process.env });
      const address = await causeway.listen({ port: 0, host: '127.0.0.1' });
      const host = Fastify();
      await causeway.mount(host);
      await host.listen({ port: 0, host: '127.0.0.1' });
      const pong = await (await fetch(address + '/api/custom/ping')).json();
      await new Promise((resolve) => setTimeout(resolve, 2200));
      await host.close();
      await causeway.close();
      console.log(JSON.stringify({ pong, ranJobs: runs > 0 }));
    `);
    const child = spawn(process.execPath, [script], { cwd: path.resolve('.'), env: { ...process.env, ...Object.fromEntries(Object.entries(testDatabaseFlags(dir)).map(([, v]) => ['CAUSEWAY_DATABASE_URL', v])) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = await new Promise<number | string>((resolve) => {
      const killer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('did not exit within 15 s of starting');
      }, 15_000);
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve(code ?? 'killed');
      });
    });
    rmSync(dir, { recursive: true, force: true });
    await dropTestDatabase(dir);
    expect(exit, output).toBe(0);
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({ pong: { pong: true }, ranJobs: true });
  }, 30_000);
});
