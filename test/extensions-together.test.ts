import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExtension } from '../packages/server/src/extend/extender.js';
import { anonymous } from './support/accounts.js';
import { hooksDirectory } from './support/hooks-directory.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// One Extender for everything: a file in the hooks directory registers a hook, a custom route and a job; an
// extension given in code (library mode) registers its own next to them. All are served from the start.
const file = `
import { defineExtension } from '@causeway/server';

export default defineExtension((causeway) => {
  causeway.beforeCreate('notes', ({ data }) => {
    data.title = String(data.title).toUpperCase();
  });
  causeway.route('GET', '/api/custom/notes/count', { auth: 'anyone' }, async ({ records }) => ({ count: (await records.asAdmin().list('notes', { count: true })).total }));
  causeway.cron('tidy', '0 4 * * *', () => undefined);
});
`;

let t: TestServer;
let hooks: ReturnType<typeof hooksDirectory>;
const fromCode = defineExtension((causeway) => {
  causeway.route('GET', '/api/custom/hello', { auth: 'anyone' }, () => ({ hello: 'from code' }));
});

beforeAll(async () => {
  hooks = hooksDirectory({ 'notes.ts': file });
  t = await startTestServer({ config: { hooks: hooks.dir }, extensions: [fromCode] });
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  expect((await t.request('POST', '/api/collections', { name: 'notes', ...open, fields: [{ name: 'title', type: 'text' }] })).status).toBe(201);
});

afterAll(async () => {
  await t?.stop();
  hooks?.remove();
});

describe('a hooks file and an extension in code, together', () => {
  it('serve the routes and hooks both registered', async () => {
    expect((await t.request('POST', '/api/collections/notes/records', { title: 'quiet' }, anonymous)).body.title).toBe('QUIET');
    const counted = await t.request('GET', '/api/custom/notes/count', undefined, anonymous);
    expect(counted.status, JSON.stringify(counted.body)).toBe(200);
    expect(counted.body.count).toBe(1);
    expect((await t.request('GET', '/api/custom/hello', undefined, anonymous)).body).toEqual({ hello: 'from code' });
  });

  it('lists them all in the overview and the OpenAPI document', async () => {
    const overview = await t.request('GET', '/api/extensions');
    expect(overview.body.routes.map((r: { path: string }) => r.path).sort()).toEqual(['/api/custom/hello', '/api/custom/notes/count']);
    expect(overview.body.jobs.map((j: { name: string }) => j.name)).toEqual(['tidy']);
    expect(overview.body.hooks).toEqual([{ kind: 'beforeCreate', collection: 'notes', source: 'notes.ts' }]);
    const document = await t.request('GET', '/api/openapi.json');
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/api/custom/hello', '/api/custom/notes/count']));
  });
});
