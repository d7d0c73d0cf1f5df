import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from './support/accounts.js';
import { mb, retainedMemory } from './support/retained-memory.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

let t: TestServer;

async function gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = anonymous): Promise<{ status: number; body: Json }> {
  return t.request('POST', '/api/graphql', { query, ...(variables ? { variables } : {}) }, { accept: 'application/graphql-response+json', ...headers });
}

/** Answers within `ms`, or fails (instead of waiting on a server that hangs). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const nested = (depth: number, leaf: unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

beforeAll(async () => {
  t = await startTestServer();
  await t.request('POST', '/api/collections', { name: 'tags', fields: [{ name: 'label', type: 'text' }], listRule: '', viewRule: '' });
  await t.request('POST', '/api/collections', {
    name: 'items',
    listRule: '',
    viewRule: '',
    createRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'meta', type: 'json' },
      { name: 'tags', type: 'relation', collection: 'tags', multiple: true },
    ],
  });
});

afterAll(async () => {
  await t?.stop();
});

describe('GraphQL variables of recursive input types', () => {
  it('answers a query with a variable of a generated Where type, anonymous, without hanging', async () => {
    const answer = await within(5000, gql('query($w: UsersWhere){ users(where: $w){ totalCount } }', { w: { id: { eq: 'x' } } }));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({ data: { users: { totalCount: 0 } } });
    const health = await within(2000, t.request('GET', '/api/health'));
    expect(health.status).toBe(200);
  });

  it('filters with a Where variable as it does with the same filter inline', async () => {
    await t.request('POST', '/api/collections/items/records', { title: 'one' });
    await t.request('POST', '/api/collections/items/records', { title: 'two' });
    const w = { OR: [{ title: { eq: 'one' } }, { NOT: { title: { ne: 'two' } } }] };
    const byVariable = await within(5000, gql('query($w: ItemsWhere){ items(where: $w){ totalCount } }', { w }));
    const inline = await gql('{ items(where: { OR: [{ title: { eq: "one" } }, { NOT: { title: { ne: "two" } } }] }){ totalCount } }');
    expect(byVariable.body).toEqual(inline.body);
    expect(byVariable.body.data.items.totalCount).toBe(2);
  });

  it('refuses variables nested deeper than the limit with 400, not a crash', async () => {
    let w: Json = { title: { eq: 'x' } };
    for (let i = 0; i < 3000; i++) w = { NOT: w };
    const answer = await within(5000, gql('query($w: ItemsWhere){ items(where: $w){ totalCount } }', { w }));
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.code).toBe('INVALID_QUERY');
  });
});

describe('GraphQL documents the server refuses clearly', () => {
  it('answers a deeply nested document with 400 INVALID_QUERY', async () => {
    const query = `{ items ${'{ edges '.repeat(3000)}${'}'.repeat(3000)} }`;
    const answer = await within(5000, gql(query));
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.code).toBe('INVALID_QUERY');
  });

  it('answers deeply nested input values with 400 INVALID_QUERY', async () => {
    const query = `{ items(where: ${'{ NOT: '.repeat(5000)}{ title: { eq: "x" } }${' }'.repeat(5000)}) { totalCount } }`;
    const answer = await within(5000, gql(query));
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.code).toBe('INVALID_QUERY');
  });

  it('answers a batched (array) request body with a 400 problem', async () => {
    const answer = await t.request('POST', '/api/graphql', [{ query: '{ __typename }' }, { query: '{ __typename }' }], { ...anonymous, accept: 'application/graphql-response+json' });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).not.toMatch(/INTERNAL/);
  });
});

describe('GraphQL cost', () => {
  it('refuses more than 10 introspection roots, aliases and fragment spreads included', async () => {
    const aliases = Array.from({ length: 800 }, (_, i) => `a${i}: __schema { types { name fields { name } } }`).join(' ');
    const answer = await within(5000, gql(`{ ${aliases} }`));
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.limit, JSON.stringify(answer.body).slice(0, 500)).toBe('introspection');
    const spread = await gql(`{ ${Array.from({ length: 11 }, (_, i) => `a${i}: items { ...S }`).join(' ')} } fragment S on ItemsConnection { totalCount t: __type(name: "Items") { name } }`);
    expect(spread.body.errors[0].extensions.limit).toBe('introspection');
  });

  it('counts introspection fields and aliases in the cost', async () => {
    // 800 aliased lists cost 17,600, under the limit; the introspection fields push it over.
    const fields = Array.from({ length: 60 }, (_, i) => `f${i}: fields { name type { name } }`).join(' ');
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: __schema { types { ${fields} } }`).join(' ');
    const answer = await within(5000, gql(`{ ${aliases} ${Array.from({ length: 800 }, (_, i) => `b${i}: items(first: 10) { edges { node { id } } }`).join(' ')} }`));
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.limit).toBe('cost');
  });

  it('refuses a document of more than 20,000 tokens before validating it', async () => {
    const aliases = Array.from({ length: 7000 }, (_, i) => `a${i}: __typename`).join(' ');
    const answer = await within(5000, gql(`{ ${aliases} }`));
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]).toMatchObject({ message: expect.stringContaining('20000 tokens'), extensions: { code: 'INVALID_QUERY' } });
  });

  it('still allows the explorer’s full introspection query', async () => {
    const answer = await gql(getIntrospectionQuery());
    expect(answer.status).toBe(200);
    expect(answer.body.data.__schema.types.length).toBeGreaterThan(10);
  });

  it('costs `first` passed as a variable by its value', async () => {
    const query = 'query($n: Int){ items(first: $n){ edges { node { id tags(first: $n) { edges { node { id label } } } } } } }';
    const small = await gql(query, { n: 5 });
    expect(small.status).toBe(200);
    const large = await gql(query, { n: 500 });
    expect(large.status).toBe(400);
    expect(large.body.errors[0].extensions.limit).toBe('cost');
  });
});

describe('a stream of distinct documents', () => {
  // Each document is new to the server, so each is parsed, validated and run afresh; what the server keeps of
  // them (to answer the next identical one faster) must stay within a bound. Before the bound, 20 documents like
  // the large ones here held 770 MB, and a thousand would have held 39 GB.
  it('leaves server memory bounded, however large or many the documents', { timeout: 120_000 }, async () => {
    const before = retainedMemory();
    for (let n = 0; n < 30; n++) {
      // 50 KB each: a fragment of every field spread under a thousand aliases (cost 4,000 of 20,000).
      const aliases = Array.from({ length: 1000 }, (_, a) => `a${a}: items(first: 1) { edges { node { ...F } } }`).join(' ');
      const answer = await gql(`query Large${n} { ${aliases} } fragment F on Items { id title meta created updated }`);
      expect(answer.status).toBe(200);
    }
    for (let n = 0; n < 600; n++) {
      const aliases = Array.from({ length: 25 }, (_, a) => `a${a}: items(first: 1) { edges { node { id title meta created updated } } }`).join(' ');
      expect((await gql(`query Wide${n} { ${aliases} }`)).status).toBe(200);
    }
    // The cache holds at most 32 MB by its estimate; the rest is slack for what the test itself holds.
    expect(retainedMemory() - before).toBeLessThan(48 * mb);
  });
});

describe('GraphQL cost of last', () => {
  it('costs `last` like `first`, written in the query or passed as a variable', async () => {
    const literal = await gql('{ items(last: 500) { edges { node { id tags(last: 500) { edges { node { id label } } } } } } }');
    expect(literal.status).toBe(400);
    expect(literal.body.errors[0].extensions.limit).toBe('cost');
    const query = 'query($n: Int){ items(last: $n){ edges { node { id tags(last: $n) { edges { node { id label } } } } } } }';
    expect((await gql(query, { n: 5 })).status).toBe(200);
    const large = await gql(query, { n: 500 });
    expect(large.status).toBe(400);
    expect(large.body.errors[0].extensions.limit).toBe('cost');
  });
});

describe('deep json values', () => {
  it('refuses a json value nested deeper than 64 levels with a 422 per-field error', async () => {
    const answer = await t.request('POST', '/api/collections/items/records', { title: 'deep', meta: nested(2600, 1) }, anonymous);
    expect(answer.status).toBe(422);
    expect(answer.body.errors.meta.code).toBe('too_deep');
  });

  it('accepts a json value 64 levels deep', async () => {
    const answer = await t.request('POST', '/api/collections/items/records', { title: 'ok', meta: nested(63, 1) }, anonymous);
    expect(answer.status).toBe(201);
  });

  it('lists over GraphQL and REST when a stored json value is far deeper than the limit', async () => {
    const created = await t.request('POST', '/api/collections/items/records', { title: 'stored-deep', meta: 1 });
    const deep = `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`;
    const { dialect } = t.server.db;
    await t.server.db.run(`UPDATE ${dialect.quoteIdent('items')} SET ${dialect.quoteIdent('meta')} = ${dialect.placeholder(1)} WHERE id = ${dialect.placeholder(2)}`, [deep, created.body.id]);
    const rest = await t.request('GET', '/api/collections/items/records?limit=200');
    expect(rest.status).toBe(200);
    const graph = await gql('{ items(first: 200) { edges { node { id meta } } } }');
    expect(graph.status).toBe(200);
    const node = graph.body.data.items.edges.find((e: Json) => e.node?.id === created.body.id);
    expect(node.node.meta).toBeNull();
    expect(graph.body.errors[0]).toMatchObject({ message: expect.stringContaining('nests deeper than 1000 levels'), path: ['items', 'edges', expect.any(Number), 'node', 'meta'] });
    expect(graph.body.errors[0].extensions.code).not.toBe('INTERNAL');
  });
});

describe('to-many relations with arguments', () => {
  // GraphQL hands the related ids to the records service as a filter tree, never as filter text, so the number of
  // related records is not bounded by the filter language's text length (it once failed beyond about 140 ids).
  it('lists a to-many relation of 300 related records with `first`', async () => {
    const ids: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const operations = Array.from({ length: 100 }, (_, i) => ({ action: 'create', collection: 'tags', data: { label: `tag ${String(batch * 100 + i).padStart(3, '0')}` } }));
      const answer = await t.request('POST', '/api/batch', { operations });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      ids.push(...answer.body.results.map((r: Json) => r.record.id));
    }
    expect((await t.request('POST', '/api/collections/items/records', { title: 'many tags', tags: ids })).status).toBe(201);
    const answer = await gql('{ items(where: { title: { eq: "many tags" } }) { edges { node { tags(first: 5, orderBy: [{ field: label, direction: DESC }]) { totalCount edges { node { label } } } } } } }');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const tags = answer.body.data.items.edges[0].node.tags;
    expect(tags.totalCount).toBe(300);
    expect(tags.edges.map((e: Json) => e.node.label)).toEqual(['tag 299', 'tag 298', 'tag 297', 'tag 296', 'tag 295']);
  });
});

describe('field patterns', () => {
  it('refuses a pattern that can backtrack catastrophically, naming the field', async () => {
    const answer = await t.request('POST', '/api/collections', { name: 'codes', fields: [{ name: 'code', type: 'text', pattern: '(a+)+$' }] });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('INVALID_SCHEMA');
    expect(JSON.stringify(answer.body)).toMatch(/code/);
    expect(JSON.stringify(answer.body)).toMatch(/unsafe_pattern/);
  });

  it('checks values against a safe pattern quickly, and refuses values too long to check', async () => {
    const created = await t.request('POST', '/api/collections', { name: 'slugs', createRule: '', fields: [{ name: 'slug', type: 'text', pattern: '^[a-z0-9-]+$' }] });
    expect(created.status).toBe(201);
    expect((await t.request('POST', '/api/collections/slugs/records', { slug: 'a-b-1' }, anonymous)).status).toBe(201);
    const long = await t.request('POST', '/api/collections/slugs/records', { slug: 'a'.repeat(1001) }, anonymous);
    expect(long.status).toBe(422);
    expect(long.body.errors.slug.code).toBe('pattern');
  });
});
