import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { passwordHashField, versionColumn } from '@causeway/core';
import { afterAll, describe, expect, it } from 'vitest';
import { testPostgresServer } from './support/postgres-project.js';
import { serviceAvailable } from './support/services.js';
import { dropSchema, postgresUrlWithSchema } from './support/test-database.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';
import { connect } from './support/realtime-client.js';

// `causeway export` / `causeway import` run as the built CLI (`npx tsc -b packages/server` first), like test/cli.test.ts.
const cli = path.resolve('packages/server/dist/cli/main.js');
const available = await serviceAvailable('PostgreSQL (export/import between SQLite and PostgreSQL)', '127.0.0.1', 5432);
const schema = `cw_move_${randomBytes(4).toString('hex')}`;
const postgresUrl = postgresUrlWithSchema(testPostgresServer, schema);
const scratch = mkdtempSync(path.join(tmpdir(), 'causeway-move-'));
const tokenSecret = randomBytes(32).toString('hex');

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  if (available) await dropSchema(testPostgresServer, schema);
});

function causeway(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CAUSEWAY_PASSWORD_COST: '10' } });
}

/** Every collection's records, as the API serves them one by one, with their ETags. */
type Snapshot = Record<'kinds' | 'tags' | 'users', Json[]>;

async function snapshot(t: TestServer): Promise<Snapshot> {
  const result: Snapshot = { kinds: [], tags: [], users: [] };
  for (const name of ['kinds', 'tags', 'users'] as const) {
    const list = await t.request('GET', `/api/collections/${name}/records?limit=500&sort=id`);
    expect(list.status).toBe(200);
    result[name] = await Promise.all(list.body.items.map(async (item: Json) => {
      const one = await t.request('GET', `/api/collections/${name}/records/${item.id}`);
      return { ...one.body, etag: one.headers.get('etag') };
    }));
  }
  return result;
}

const kindsFields = [
  { name: 'text', type: 'text' }, { name: 'int', type: 'number', integer: true }, { name: 'real', type: 'number' },
  { name: 'flag', type: 'bool' }, { name: 'mail', type: 'email' }, { name: 'link', type: 'url' }, { name: 'day', type: 'date' },
  { name: 'at', type: 'datetime' }, { name: 'one', type: 'select', values: ['a', 'b'] }, { name: 'many', type: 'select', values: ['x', 'y', 'z'], multiple: true },
  { name: 'data', type: 'json' }, { name: 'tag', type: 'relation', collection: 'tags' }, { name: 'tagged', type: 'relation', collection: 'tags', multiple: true },
];

/** A SQLite deployment with every field type, unicode, nulls, empty lists, an edited record, a signed-up user and a changed setting. */
async function sourceDeployment() {
  const source = await startTestServer({ config: { tokenSecret } });
  expect((await source.request('POST', '/api/collections', { name: 'tags', listRule: '', viewRule: '', fields: [{ name: 'label', type: 'text' }] })).status).toBe(201);
  expect((await source.request('POST', '/api/collections', { name: 'kinds', listRule: '', viewRule: '', fields: kindsFields })).status).toBe(201);
  const tag = await source.request('POST', '/api/collections/tags/records', { label: 'Zoë ΣΊΣΥΦΟΣ 😀 日本語' });
  const other = await source.request('POST', '/api/collections/tags/records', { label: 'line\u2028separator\u2029and "quotes" \\ ' });
  const full = await source.request('POST', '/api/collections/kinds/records', {
    text: 'İstanbul\nline two\r\nthree\ttab', int: 42, real: -1.5, flag: true, mail: 'ann@example.com', link: 'https://example.com/a?b=c', day: '2024-02-29',
    at: '2024-05-06T07:08:09+02:00', one: 'b', many: ['z', 'x'], data: { deep: [1, { x: null }], s: 'a\u0000b', big: 2 ** 53 - 1 },
    tag: tag.body.id, tagged: [other.body.id, tag.body.id],
  });
  expect(full.status).toBe(201);
  await source.request('POST', '/api/collections/kinds/records', { text: null, flag: false, many: [], tagged: [], data: null });
  await source.request('POST', '/api/collections/kinds/records', { text: '', int: 0, real: 0.1, data: [] });
  const edited = await source.request('POST', '/api/collections/kinds/records', { int: 1 });
  await source.request('PATCH', `/api/collections/kinds/records/${edited.body.id}`, { int: 2 });
  expect((await source.request('PATCH', `/api/collections/kinds/records/${edited.body.id}`, { int: -3 })).status).toBe(200);
  const signUp = await source.request('POST', '/api/collections/users/auth/sign-up', { email: 'mover@example.com', password: 'moving passphrase', name: 'Mövér' }, { authorization: '' });
  expect(signUp.status).toBe(201);
  expect((await source.request('PATCH', '/api/settings', { accessTokenTtl: 1234 })).status).toBe(200);
  // A sign-in provider (its secret sealed with a key from the token secret) and an identity linked to the user.
  const provider = { issuer: 'https://id.example.com', clientId: 'app', clientSecret: 'moving secret', redirectUris: ['https://app.example.com/cb'] };
  expect((await source.request('PUT', '/api/collections/users/oauth-providers/corp', provider)).status).toBe(200);
  await source.server.db.transaction((tx) => tx.run("INSERT INTO _identities (key, id, realm, account, provider, subject, email, created) VALUES ('k', 'i1', 'users', ?, 'corp', 'sub-1', 'mover@example.com', '2026-01-01T00:00:00.000Z')", [signUp.body.record.id]));
  const before = await snapshot(source);
  expect(before.kinds).toHaveLength(4);
  expect(before.kinds.find((r: Json) => r.id === edited.body.id).etag).not.toBe(before.kinds.find((r: Json) => r.id === full.body.id).etag);
  await source.stop(true);
  return { dataDir: source.dataDir, before, adminToken: source.adminToken, refreshToken: signUp.body.refreshToken as string, accessToken: signUp.body.token as string };
}

/** Checks a server holds the source's records, its user (password and session), its admin and its setting. */
async function expectSameDeployment(t: TestServer, before: Snapshot, refreshToken: string): Promise<string> {
  expect(await snapshot(t)).toEqual(before);
  const signIn = await t.request('POST', '/api/collections/users/auth/sign-in', { email: 'mover@example.com', password: 'moving passphrase' }, { authorization: '' });
  expect(signIn.status).toBe(200);
  expect(signIn.body.record.id).toBe(before.users[0].id);
  const refreshed = await t.request('POST', '/api/collections/users/auth/refresh', { refreshToken }, { authorization: '' });
  expect(refreshed.status).toBe(200);
  expect((await t.request('GET', '/api/settings')).body.accessTokenTtl).toBe(1234);
  // The provider moved, and its sealed secret opens here (the same token secret); so did the identity.
  expect((await t.request('GET', '/api/collections/users/oauth-providers')).body).toEqual([expect.objectContaining({ name: 'corp', hasClientSecret: true })]);
  const identities = await t.request('GET', '/api/collections/users/auth/oauth/identities', undefined, { authorization: `Bearer ${signIn.body.token}` });
  expect(identities.body).toEqual([{ id: 'i1', provider: 'corp', email: 'mover@example.com', created: '2026-01-01T00:00:00.000Z' }]);
  return refreshed.body.refreshToken as string;
}

describe('causeway import refuses what it cannot load safely', () => {
  it('names the line of a file that is not an export, is not JSON or was cut short, and writes nothing', async () => {
    const target = path.join(scratch, 'untouched');
    const attempt = (name: string, text: string) => {
      const file = path.join(scratch, name);
      writeFileSync(file, text);
      const run = causeway('import', file, '--data-dir', target);
      expect(run.status).toBe(1);
      return run.stderr;
    };
    const header = '{"format":"causeway-export","version":1,"exported":"2026-01-01T00:00:00.000Z","position":0}\n';
    const schemaLine = `${JSON.stringify({ schema: { version: 1, collections: [{ name: 'notes', fields: [{ name: 'body', type: 'text' }] }] } })}\n`;
    const note = `${JSON.stringify({ collection: 'notes', row: { id: 'n1', created: '2026-01-01T00:00:00.000Z', updated: '2026-01-01T00:00:00.000Z', [versionColumn]: 7, body: 'x' } })}\n`;
    expect(attempt('not-export.ndjson', '{"hello":"world"}\n')).toContain('line 1: not a Causeway export');
    expect(attempt('plain.txt', 'id,name\n1,Ann\n')).toContain('line 1: not a Causeway export');
    expect(attempt('empty.ndjson', '')).toContain('line 1: not a Causeway export');
    expect(attempt('version.ndjson', '{"format":"causeway-export","version":9}\n')).toContain('line 1: export version 9');
    expect(attempt('no-schema.ndjson', `${header}{"collections":[]}\n`)).toContain('line 2: expected the schema');
    expect(attempt('broken.ndjson', `${header}${schemaLine}${note}{oops\n`)).toContain('line 4: not JSON');
    expect(attempt('stranger.ndjson', `${header}${schemaLine}${note.replace('"notes"', '"ghosts"')}`)).toContain("line 3: a record of 'ghosts'");
    expect(attempt('cut-short.ndjson', `${header}${schemaLine}${note}`)).toContain('line 3: the file ends without its end line');
    const wrongCount = `${header}${schemaLine}${note}{"end":{"records":{"notes":2},"system":{}}}\n`;
    expect(attempt('count.ndjson', wrongCount)).toContain('line 4: the counts do not match');
    expect(causeway('import', path.join(scratch, 'missing.ndjson'), '--data-dir', target).stderr).toContain('does not exist');
    // Every file above was refused before the database was opened: no collection was created from its schema.
    const left = causeway('schema', 'export', '--data-dir', target);
    expect(JSON.parse(left.stdout).collections).toEqual([]);
    // With their end line such lines load: here 2,345 of them, more than a page (1,000) of the export that follows.
    const rows = Array.from({ length: 2345 }, (_, i) => ({ ...JSON.parse(note).row, id: `n${(i * 7919) % 2345}`, body: `note ${i}` }));
    const good = path.join(scratch, 'good.ndjson');
    writeFileSync(good, `${header}${schemaLine}${rows.map((row) => `${JSON.stringify({ collection: 'notes', row })}\n`).join('')}{"end":{"records":{"notes":2345},"system":{}}}\n`);
    const loaded = causeway('import', good, '--data-dir', target);
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout).toContain('notes: 2345 record(s)');
    // A second load into the now non-empty target needs --replace.
    const again = causeway('import', good, '--data-dir', target);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('CONFIRMATION_REQUIRED: The target database is not empty (notes: 2345 records)');
    expect(again.stderr).toContain('--replace');
    expect(causeway('import', good, '--data-dir', target, '--replace').status).toBe(0);
    // A file that passes the check but fails in the database (two records with one id) leaves the target as it was,
    // even with --replace, which had emptied it first in the same transaction.
    const clash = path.join(scratch, 'clash.ndjson');
    writeFileSync(clash, `${header}${JSON.stringify({ schema: { version: 1, collections: [{ name: 'notes', fields: [{ name: 'body', type: 'text' }, { name: 'extra', type: 'text' }] }] } })}\n${note}${note}{"end":{"records":{"notes":2},"system":{}}}\n`);
    const failed = causeway('import', clash, '--data-dir', target, '--replace');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^The database refused the import, so nothing was written: .*(UNIQUE|unique)/);
    const kept = JSON.parse(causeway('schema', 'export', '--data-dir', target).stdout).collections;
    expect(kept[0].fields.map((f: Json) => f.name)).toEqual(['body']);
    const exported = path.join(scratch, 'good-again.ndjson');
    expect(causeway('export', exported, '--data-dir', target).stdout).toContain('notes: 2345 record(s)');
    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    const byId = (a: Json, b: Json) => (a.id < b.id ? -1 : 1);
    expect(lines.filter((line) => line.collection === 'notes').map((line) => line.row)).toEqual(rows.sort(byId));
    expect(lines.at(-1)).toEqual({ end: { records: { notes: 2345 }, system: { _admins: 0, _sessions: 0, _auth_tokens: 0, _mfa: 0, _passkeys: 0, _oauth_providers: 0, _identities: 0, _settings: 0 } } });
  }, 60_000);
});

describe.skipIf(!available)('moving a deployment between SQLite and PostgreSQL', () => {
  it('exports from SQLite, imports into PostgreSQL and back, keeping every record, id, timestamp, version, password and session', async () => {
    const { dataDir, before, adminToken, refreshToken } = await sourceDeployment();
    const file = path.join(scratch, 'export.ndjson');
    const exported = causeway('export', file, '--data-dir', dataDir);
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toContain('kinds: 4 record(s)');
    expect(exported.stdout).toContain('_admins 1');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({ format: 'causeway-export', version: 1, exported: expect.any(String), position: expect.any(Number) });
    expect(lines.some((line) => line.system === '_changes')).toBe(false);
    // Hidden fields travel (decoded, so the file is database-neutral): the user's password hash is in the file.
    const user = lines.find((line) => line.collection === 'users').row;
    expect(Object.keys(user)).toEqual(expect.arrayContaining(['id', 'created', 'updated', versionColumn, 'email']));
    expect(user[passwordHashField]).toEqual(expect.any(String));
    expect(JSON.stringify(user)).not.toContain('moving passphrase');

    const pgSide = path.join(scratch, 'pg-side');
    const imported = causeway('import', file, '--data-dir', pgSide, '--database-url', postgresUrl);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('kinds: 4 record(s)');
    let onPostgres = await startTestServer({ dataDir: pgSide, config: { databaseUrl: postgresUrl, tokenSecret } });
    await expectSameDeployment(onPostgres, before, refreshToken);
    // The admin moved too: the source's admin token (same signing secret) works here.
    expect((await onPostgres.request('GET', '/api/collections', undefined, { authorization: `Bearer ${adminToken}` })).status).toBe(200);
    // The change log continues after the source's position, so an old position is never read as a new one:
    // a client resuming from just before the export is told to resync instead of being shown other events.
    const position = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!).position as number;
    expect(position).toBeGreaterThan(0);
    expect((await onPostgres.request('POST', '/api/collections/tags/records', { label: 'after the move' })).status).toBe(201);
    expect(await onPostgres.server.feed.latest()).toBe(position + 2);
    const client = await connect(onPostgres);
    client.send({ type: 'subscribe', sub: 'tags', kind: 'collection', collection: 'tags', since: position - 1 });
    expect((await client.next((m) => m.sub === 'tags')).type).toBe('resync');
    await client.close();
    await onPostgres.stop(true);

    // Into a database that holds records already: refused unless --replace, which loads the same again.
    const again = causeway('import', file, '--data-dir', pgSide, '--database-url', postgresUrl);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('CONFIRMATION_REQUIRED');
    expect(again.stderr).toContain('kinds: 4 records');
    const replaced = causeway('import', file, '--data-dir', pgSide, '--database-url', postgresUrl, '--replace');
    expect(replaced.stderr).toBe('');
    onPostgres = await startTestServer({ dataDir: pgSide, config: { databaseUrl: postgresUrl, tokenSecret } });
    expect(await snapshot(onPostgres)).toEqual(before);
    // Spend the refresh token on PostgreSQL, so the round trip must carry the session PostgreSQL rotated.
    const spent = await onPostgres.request('POST', '/api/collections/users/auth/refresh', { refreshToken }, { authorization: '' });
    expect(spent.status).toBe(200);
    await onPostgres.stop(true);

    // Back to SQLite, into a data directory a server has already started on (it made the default `users`).
    const back = path.join(scratch, 'back.ndjson');
    expect(causeway('export', back, '--data-dir', pgSide, '--database-url', postgresUrl).status).toBe(0);
    const sqliteAgain = path.join(scratch, 'sqlite-again');
    await (await startTestServer({ dataDir: sqliteAgain, admin: false })).stop(true);
    const intoSqlite = causeway('import', back, '--data-dir', sqliteAgain);
    expect(intoSqlite.stderr).toBe('');
    expect(intoSqlite.stdout).toContain('users: 1 record(s)');
    const roundTrip = await startTestServer({ dataDir: sqliteAgain, config: { tokenSecret } });
    await expectSameDeployment(roundTrip, before, spent.body.refreshToken);
    // On SQLite too the log continues after the position the file was exported at (kept by the import's marker
    // entry on PostgreSQL, whose log had been emptied by --replace).
    const backPosition = JSON.parse(readFileSync(back, 'utf8').split('\n')[0]!).position as number;
    expect((await roundTrip.request('POST', '/api/collections/tags/records', { label: 'home again' })).status).toBe(201);
    expect(backPosition).toBeGreaterThan(position);
    expect(await roundTrip.server.feed.latest()).toBe(backPosition + 2);
    await roundTrip.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);
});
