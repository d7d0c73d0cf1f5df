/**
 * `@request.body.<field>` in rules (issue 13, item 7) holds the request's value after normalisation, for every field
 * type: text, number and bool as sent; dates and datetimes in their stored form (a datetime
 * `2026-12-31T23:00:00-14:00` is stored as `2027-01-01T13:00:00.000Z`, so `@request.body.due < "2027-01-01"` is false
 * for it); multiple selects, to-many relations and json fields as their canonical JSON text (`["a","b"]`), never null
 * when sent; null when the field was not sent. The same on create and update, on every surface.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type Account } from './support/accounts.js';
import { connect } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

let t: TestServer;
let alice: Account;
const forms = '/api/collections/forms/records';

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, 'alice@example.com');
  const targets = await t.request('POST', '/api/collections', { name: 'targets', fields: [{ name: 'name', type: 'text' }], listRule: '', viewRule: '' });
  expect(targets.status, JSON.stringify(targets.body)).toBe(201);
  for (const id of ['target1', 'target2']) expect((await t.request('POST', '/api/collections/targets/records', { id, name: id })).status).toBe(201);
  const created = await t.request('POST', '/api/collections', {
    name: 'forms',
    listRule: '', viewRule: '', createRule: '', updateRule: '',
    fields: [
      // Which case a request belongs to: each test sets one rule holding every case, `kase = "i" && rule i`.
      { name: 'kase', type: 'text' },
      { name: 'title', type: 'text' },
      { name: 'n', type: 'number' },
      { name: 'flag', type: 'bool' },
      { name: 'mail', type: 'email' },
      { name: 'link', type: 'url' },
      { name: 'day', type: 'date' },
      { name: 'due', type: 'datetime' },
      { name: 'status', type: 'select', values: ['draft', 'live'] },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c'], multiple: true },
      { name: 'meta', type: 'json' },
      { name: 'ref', type: 'relation', collection: 'targets' },
      { name: 'refs', type: 'relation', collection: 'targets', multiple: true },
    ],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});

afterAll(async () => {
  await t?.stop();
});

/** One rule for several cases (one schema change, not one per case): case i holds when `rules[i]` does. */
function casesRule(rules: readonly string[]): string {
  return rules.map((rule, i) => `(@request.body.kase = "${i}" && (${rule}))`).join(' || ');
}

async function setRule(action: 'createRule' | 'updateRule', rule: string): Promise<void> {
  const response = await t.request('PATCH', '/api/collections/forms', { [action]: rule });
  expect(response.status, `${action} ${rule}: ${JSON.stringify(response.body)}`).toBe(200);
}

/** [rule, body sent, whether the rule holds for it]: create as a user, 201 when it holds, 403 when not. */
type Case = [string, Record<string, unknown>, boolean];
const cases: Record<string, Case[]> = {
  text: [
    ['@request.body.title = "hi"', { title: 'hi' }, true],
    ['@request.body.title = "hi"', { title: 'ho' }, false],
    ['@request.body.title = "hi"', {}, false],
    ['@request.body.title = null', {}, true],
    ['@request.body.title = null', { title: 'x' }, false],
  ],
  number: [
    ['@request.body.n > 5', { n: 6 }, true],
    ['@request.body.n > 5', { n: 5 }, false],
    ['@request.body.n = 2.5', { n: 2.5 }, true],
  ],
  bool: [
    ['@request.body.flag = true', { flag: true }, true],
    ['@request.body.flag = true', { flag: false }, false],
    ['@request.body.flag != true', {}, true],
  ],
  email: [['@request.body.mail = "ann@example.com"', { mail: 'ann@example.com' }, true]],
  url: [['@request.body.link ~ "example.com/x"', { link: 'https://example.com/x' }, true]],
  select: [
    ['@request.body.status = "live"', { status: 'live' }, true],
    ['@request.body.status = "live"', { status: 'draft' }, false],
  ],
  date: [
    ['@request.body.day < "2027-01-01"', { day: '2026-12-31' }, true],
    ['@request.body.day < "2027-01-01"', { day: '2027-01-01' }, false],
    ['@request.body.day = "2026-12-31"', { day: '2026-12-31' }, true],
  ],
  datetime: [
    // Stored as 2027-01-01T13:00:00.000Z: the rule sees that, not the text sent.
    ['@request.body.due < "2027-01-01"', { due: '2026-12-31T23:00:00-14:00' }, false],
    ['@request.body.due = "2027-01-01T13:00:00.000Z"', { due: '2026-12-31T23:00:00-14:00' }, true],
    ['@request.body.due >= "2027-01-01T00:00:00.000Z"', { due: '2026-12-31T23:00:00-14:00' }, true],
    ['@request.body.due = "2026-06-01T10:00:00.000Z"', { due: '2026-06-01 10:00' }, true],
    ['@request.body.due < "2026-06-01T12:00:00.000Z"', { due: '2026-06-01T13:30:00+02:00' }, true],
  ],
  'multiple select': [
    [`@request.body.tags = '["a","b"]'`, { tags: ['a', 'b'] }, true],
    [`@request.body.tags = '["a","b"]'`, { tags: ['a'] }, false],
    ['@request.body.tags ~ \'"c"\'', { tags: ['a', 'c'] }, true],
    ['@request.body.tags != null', { tags: [] }, true],
    [`@request.body.tags = '[]'`, { tags: [] }, true],
    ['@request.body.tags = null', { tags: ['a'] }, false],
    ['@request.body.tags = null', {}, true],
  ],
  json: [
    [`@request.body.meta = '{"a":1}'`, { meta: { a: 1 } }, true],
    [`@request.body.meta = '{"a":1}'`, { meta: { a: 2 } }, false],
    [`@request.body.meta = '[1,2]'`, { meta: [1, 2] }, true],
    ['@request.body.meta != null', { meta: {} }, true],
    ['@request.body.meta = null', { meta: { a: 1 } }, false],
    ['@request.body.meta = null', {}, true],
  ],
  'to-one relation': [
    ['@request.body.ref = "target1"', { ref: 'target1' }, true],
    ['@request.body.ref = "target1"', { ref: 'target2' }, false],
  ],
  'to-many relation': [
    [`@request.body.refs = '["target1","target2"]'`, { refs: ['target1', 'target2'] }, true],
    ['@request.body.refs ~ "target2"', { refs: ['target1', 'target2'] }, true],
    ['@request.body.refs != null', { refs: [] }, true],
    ['@request.body.refs = null', { refs: ['target1'] }, false],
    ['@request.body.refs = null', {}, true],
  ],
};

describe('@request.body in a create rule holds the normalised value', () => {
  for (const [type, table] of Object.entries(cases)) {
    it(`for ${type} fields`, async () => {
      const wrong: string[] = [];
      await setRule('createRule', casesRule(table.map(([rule]) => rule)));
      for (const [i, [rule, body, holds]] of table.entries()) {
        const response = await t.request('POST', forms, { kase: String(i), ...body }, alice.auth);
        const want = holds ? 201 : 403;
        if (response.status !== want) wrong.push(`${rule} with ${JSON.stringify(body)}: ${response.status}, expected ${want} ${JSON.stringify(response.body).slice(0, 200)}`);
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe('@request.body in an update rule', () => {
  it('stops "may not change X" for lists, json and dates, which used to read as null', async () => {
    await setRule('createRule', '');
    const record = (await t.request('POST', forms, { title: 'x', tags: ['a'], meta: { a: 1 }, refs: ['target1'], due: '2026-01-01T00:00:00Z' }, alice.auth)).body;
    const wrong: string[] = [];
    const updates: [string, Record<string, unknown>, boolean][] = [
      ['@request.body.tags = null', { title: 'y' }, true],
      ['@request.body.tags = null', { tags: ['a', 'b'] }, false],
      ['@request.body.meta = null', { meta: { a: 2 } }, false],
      ['@request.body.refs = null', { refs: ['target1', 'target2'] }, false],
      ['@request.body.refs = null', { refs: [] }, false],
      ['@request.body.due = null || @request.body.due < "2027-01-01"', { due: '2026-12-31T23:00:00-14:00' }, false],
      ['@request.body.due = null || @request.body.due < "2027-01-01"', { due: '2026-12-31T23:00:00Z' }, true],
      [`@request.body.tags = '["c"]'`, { tags: ['c'] }, true],
    ];
    await setRule('updateRule', casesRule(updates.map(([rule]) => rule)));
    for (const [i, [rule, body, holds]] of updates.entries()) {
      const response = await t.request('PATCH', `${forms}/${record.id}`, { kase: String(i), ...body }, alice.auth);
      const want = holds ? 200 : 403;
      if (response.status !== want) wrong.push(`${rule} with ${JSON.stringify(body)}: ${response.status}, expected ${want}`);
    }
    expect(wrong).toEqual([]);
    const stored = (await t.request('GET', `${forms}/${record.id}`)).body;
    expect(stored.due, 'the refused datetime was not stored').toBe('2026-12-31T23:00:00.000Z');
    expect(stored.tags).toEqual(['c']);
  });
});

describe('@request.body is the same on every surface', () => {
  it('GraphQL and realtime writes see lists and datetimes normalised, as REST does', async () => {
    await setRule('createRule', `@request.body.tags = '["a","b"]' && @request.body.due = "2027-01-01T13:00:00.000Z"`);
    const data = { title: 'surface', tags: ['a', 'b'], due: '2026-12-31T23:00:00-14:00' };
    const graphql = await t.request('POST', '/api/graphql', { query: 'mutation ($d: FormsCreateInput!) { createForms(data: $d) { id } }', variables: { d: data } }, alice.auth);
    expect(graphql.body.errors, JSON.stringify(graphql.body)).toBeUndefined();
    const client = await connect(t, alice.token);
    try {
      client.send({ type: 'create', req: 'w1', collection: 'forms', data });
      const answer: Json = await client.next((m) => m.req === 'w1');
      expect(answer.type, JSON.stringify(answer)).toBe('ack');
    } finally {
      await client.close();
    }
    await setRule('createRule', '@request.body.due < "2027-01-01"');
    const refused = await t.request('POST', '/api/graphql', { query: 'mutation ($d: FormsCreateInput!) { createForms(data: $d) { id } }', variables: { d: { due: '2026-12-31T23:00:00-14:00' } } }, alice.auth);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
