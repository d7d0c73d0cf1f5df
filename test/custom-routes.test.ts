import { createHmac } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausewayError } from '@causeway/core';
import { defineExtension } from '../packages/server/src/extend/extender.js';
import { collect } from './support/extensions.js';
import { anonymous, signUp, type Account } from './support/accounts.js';
import { OpenApiResponseCheck, type OpenApiDocumentShape } from './support/openapi-responses.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

const webhookSecret = 'whsec_test_secret';

/** A Stripe-style signature: `t=<unix seconds>,v1=<HMAC-SHA256 of "t.body">`. */
function sign(body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac('sha256', webhookSecret).update(`${at}.${body}`).digest('hex')}`;
}

const shop = defineExtension((causeway) => {
  causeway.route('POST', '/api/custom/notes', { body: z.object({ text: z.string().min(1).max(20), pinned: z.boolean().optional() }), summary: 'Writes a note as the caller' }, async ({ body, records, reply }) => {
    reply.code(201);
    return records.create('notes', { text: body.text });
  });
  causeway.route('GET', '/api/custom/whoami', { auth: 'anyone' }, ({ caller }) => ({ kind: caller.kind }));
  causeway.route('GET', '/api/custom/admin-report', { auth: 'admin' }, async ({ records }) => ({ notes: (await records.list('notes')).items.length }));
  causeway.route('GET', '/api/custom/sum', { auth: 'anyone', query: z.object({ a: z.coerce.number().int(), b: z.coerce.number().int().default(0) }) }, ({ query }) => ({ sum: query.a + query.b }));
  causeway.route('GET', '/api/custom/orders/:id', { auth: 'anyone', params: z.object({ id: z.string().regex(/^o_[0-9]+$/) }) }, ({ params }) => ({ id: params.id }));
  causeway.route('POST', '/api/custom/secret-write', {}, async ({ records }) => records.create('secrets', { text: 'x' }));
  causeway.route('POST', '/api/custom/refuse', { auth: 'anyone' }, () => {
    throw new CausewayError('CONFIRMATION_REQUIRED', 'Not today.', { fields: { day: { code: 'closed', message: 'we are closed on this day' } } });
  });
  causeway.route('POST', '/api/custom/crash', { auth: 'anyone' }, () => {
    throw new Error('database password is hunter2');
  });
  causeway.route('DELETE', '/api/custom/nothing', { auth: 'anyone' }, () => undefined);
  causeway.route('POST', '/api/custom/webhooks/payments', { auth: 'anyone', rawBody: true, body: z.object({ type: z.string(), amount: z.number().int() }) }, async ({ rawBody, body, request, records }) => {
    const header = String(request.headers['payments-signature'] ?? '');
    const at = /t=(\d+)/.exec(header)?.[1];
    const expected = at ? createHmac('sha256', webhookSecret).update(`${at}.${rawBody.toString('utf8')}`).digest('hex') : '';
    if (!at || !header.includes(`v1=${expected}`)) throw new CausewayError('FORBIDDEN', 'The signature does not match the body.');
    return records.asAdmin().create('secrets', { text: `${body.type}:${body.amount}` });
  });
});

let t: TestServer;
let user: Account;

beforeAll(async () => {
  t = await startTestServer({ extensions: [shop], config: { bodyLimit: 4096 } });
  expect((await t.request('POST', '/api/collections', { name: 'notes', fields: [{ name: 'text', type: 'text', required: true }], createRule: '@request.auth.id != ""', listRule: '', viewRule: '' })).status).toBe(201);
  expect((await t.request('POST', '/api/collections', { name: 'secrets', fields: [{ name: 'text', type: 'text' }] })).status).toBe(201);
  user = await signUp(t, 'routes@example.com');
});
afterAll(() => t.stop());

function expectProblem(response: { status: number; headers: Headers; body: Json }, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body).toMatchObject({ status, code });
}

describe('registering custom routes', () => {
  it('refuses a path outside /api/custom/ and says where routes go', async () => {
    await expect(collect([(c) => c.route('POST', '/api/collections/x', {}, () => 1)])).rejects.toThrow(/must be under \/api\/custom\//);
    await expect(collect([(c) => c.route('GET', '/checkout', {}, () => 1)])).rejects.toThrow(/must be under \/api\/custom\/ \(e\.g\. \/api\/custom\/checkout\)/);
  });

  it('refuses wildcards, dot segments, unknown methods and a route added twice', async () => {
    await expect(collect([(c) => c.route('GET', '/api/custom/*', {}, () => 1)])).rejects.toThrow(/path segment/);
    await expect(collect([(c) => c.route('GET', '/api/custom/../logs', {}, () => 1)])).rejects.toThrow(/path segment/);
    await expect(collect([(c) => c.route('TRACE' as 'GET', '/api/custom/x', {}, () => 1)])).rejects.toThrow(/method must be one of/);
    await expect(collect([(c) => {
      c.route('GET', '/api/custom/a/:id', {}, () => 1);
      c.route('GET', '/api/custom/a/:other', {}, () => 1);
    }])).rejects.toThrow(/added twice/);
  });

  it('a failing registration keeps the server from starting', async () => {
    await expect(startTestServer({ extensions: [(c) => c.route('GET', '/outside', {}, () => 1)] })).rejects.toThrow(/\/api\/custom\//);
  });
});

describe('who may call a custom route', () => {
  it('is signed-in callers by default: anonymous gets 401', async () => {
    expectProblem(await t.request('POST', '/api/custom/notes', { text: 'hi' }, anonymous), 401, 'UNAUTHENTICATED');
  });

  it('refuses a token that is no longer valid even on an open route', async () => {
    expectProblem(await t.request('GET', '/api/custom/whoami', undefined, { authorization: 'Bearer not.a.token' }), 401, 'INVALID_TOKEN');
  });

  it('refuses a user on an admin route and lets an admin through', async () => {
    expectProblem(await t.request('GET', '/api/custom/admin-report', undefined, user.auth), 403, 'FORBIDDEN');
    expectProblem(await t.request('GET', '/api/custom/admin-report', undefined, anonymous), 401, 'UNAUTHENTICATED');
    expect((await t.request('GET', '/api/custom/admin-report')).status).toBe(200);
  });

  it('hands the handler the caller, and a user whose session ended is refused', async () => {
    expect((await t.request('GET', '/api/custom/whoami', undefined, anonymous)).body).toEqual({ kind: 'anonymous' });
    const leaving = await signUp(t, 'leaving@example.com');
    expect((await t.request('GET', '/api/custom/whoami', undefined, leaving.auth)).body).toEqual({ kind: 'user' });
    expect((await t.request('POST', '/api/collections/users/auth/sign-out', { refreshToken: leaving.refreshToken }, leaving.auth)).status).toBeLessThan(300);
    expectProblem(await t.request('GET', '/api/custom/whoami', undefined, leaving.auth), 401, 'INVALID_TOKEN');
  });
});

describe('a custom route reads and writes through the records service as its caller', () => {
  it('writes as the user: the record is in the change log and visible over REST', async () => {
    const created = await t.request('POST', '/api/custom/notes', { text: 'from a route' }, user.auth);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ text: 'from a route' });
    const listed = await t.request('GET', '/api/collections/notes/records', undefined, anonymous);
    expect(listed.body.items.map((n: Json) => n.id)).toContain(created.body.id);
    const changes = await t.server.feed.since(0);
    expect(changes.some((c) => c.record.id === created.body.id && c.op === 'create')).toBe(true);
  });

  it('is held to the rules: a user cannot write where only admins may', async () => {
    expectProblem(await t.request('POST', '/api/custom/secret-write', {}, user.auth), 403, 'FORBIDDEN');
    expect((await t.request('GET', '/api/collections/secrets/records')).body.items.filter((s: Json) => s.text === 'x')).toEqual([]);
  });
});

describe('bad input to a custom route', () => {
  it('answers a body that fails its schema 422 with a message per field, before the handler runs', async () => {
    const response = await t.request('POST', '/api/custom/notes', { text: '', pinned: 'yes' }, user.auth);
    expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(Object.keys(response.body.errors).sort()).toEqual(['pinned', 'text']);
    expect(response.body.errors.text.message).toMatch(/1/);
    expectProblem(await t.request('POST', '/api/custom/notes', [1, 2], user.auth), 422, 'VALIDATION_FAILED');
  });

  it('answers malformed JSON, a wrong media type and a body over the limit like every route', async () => {
    expectProblem(await t.request('POST', '/api/custom/notes', '{"text": ', { ...user.auth, 'content-type': 'application/json' }), 400, 'MALFORMED_JSON');
    expectProblem(await t.request('POST', '/api/custom/notes', 'text=hi', { ...user.auth, 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await t.request('POST', '/api/custom/notes', { text: 'x'.repeat(10_000) }, user.auth), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a query string that fails its schema 400 per parameter, and coerces one that fits', async () => {
    expect((await t.request('GET', '/api/custom/sum?a=2&b=3', undefined, anonymous)).body).toEqual({ sum: 5 });
    expect((await t.request('GET', '/api/custom/sum?a=2', undefined, anonymous)).body).toEqual({ sum: 2 });
    const response = await t.request('GET', '/api/custom/sum?a=two', undefined, anonymous);
    expectProblem(response, 400, 'INVALID_QUERY');
    expect(Object.keys(response.body.errors)).toEqual(['a']);
  });

  it('answers path parameters that fail their schema 400', async () => {
    expect((await t.request('GET', '/api/custom/orders/o_12', undefined, anonymous)).body).toEqual({ id: 'o_12' });
    const response = await t.request('GET', `/api/custom/orders/${encodeURIComponent("1' OR 1=1")}`, undefined, anonymous);
    expectProblem(response, 400, 'BAD_REQUEST');
    expect(Object.keys(response.body.errors)).toEqual(['id']);
  });
});

describe('what a handler throws', () => {
  it('a CausewayError becomes its problem, fields and all', async () => {
    const response = await t.request('POST', '/api/custom/refuse', {}, anonymous);
    expectProblem(response, 409, 'CONFIRMATION_REQUIRED');
    expect(response.body.errors).toEqual({ day: { code: 'closed', message: 'we are closed on this day' } });
  });

  it('any other exception is a 500 problem with the request id, names no internals, and the server goes on', async () => {
    const response = await t.request('POST', '/api/custom/crash', {}, anonymous);
    expectProblem(response, 500, 'INTERNAL');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    expect((await t.request('GET', '/api/health', undefined, anonymous)).status).toBe(200);
  });

  it('nothing returned is a 204', async () => {
    const response = await t.request('DELETE', '/api/custom/nothing', undefined, anonymous);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
  });
});

describe('a webhook route with a signature over the raw body', () => {
  const payload = JSON.stringify({ type: 'payment.succeeded', amount: 4200 });

  it('accepts the exact bytes that were signed', async () => {
    const response = await t.request('POST', '/api/custom/webhooks/payments', payload, { ...anonymous, 'payments-signature': sign(payload) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.text).toBe('payment.succeeded:4200');
  });

  it('refuses a forged signature and a body changed after signing, writing nothing', async () => {
    const before = (await t.request('GET', '/api/collections/secrets/records')).body.items.length;
    expectProblem(await t.request('POST', '/api/custom/webhooks/payments', payload, { ...anonymous, 'payments-signature': 't=1,v1=deadbeef' }), 403, 'FORBIDDEN');
    const tampered = payload.replace('4200', '999999');
    expectProblem(await t.request('POST', '/api/custom/webhooks/payments', tampered, { ...anonymous, 'payments-signature': sign(payload) }), 403, 'FORBIDDEN');
    // Same JSON value, other bytes: a signature covers bytes, not values.
    const respaced = payload.replace(':', ': ');
    expectProblem(await t.request('POST', '/api/custom/webhooks/payments', respaced, { ...anonymous, 'payments-signature': sign(payload) }), 403, 'FORBIDDEN');
    expect((await t.request('GET', '/api/collections/secrets/records')).body.items.length).toBe(before);
  });

  it('still validates the parsed body', async () => {
    const bad = JSON.stringify({ type: 'payment.succeeded', amount: 'lots' });
    expectProblem(await t.request('POST', '/api/custom/webhooks/payments', bad, { ...anonymous, 'payments-signature': sign(bad) }), 422, 'VALIDATION_FAILED');
  });
});

describe('custom routes in the OpenAPI document', () => {
  it('lists each route with its body and parameters, and the document stays valid', async () => {
    const document = (await t.request('GET', '/api/openapi.json')).body;
    expect((await new Validator().validate(document)).errors ?? []).toEqual([]);
    const notes = document.paths['/api/custom/notes'].post;
    expect(notes.summary).toBe('Writes a note as the caller');
    expect(notes.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', properties: { text: { type: 'string', minLength: 1, maxLength: 20 } }, required: ['text'] });
    expect(document.paths['/api/custom/sum'].get.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'a', in: 'query', required: true }), expect.objectContaining({ name: 'b', in: 'query', required: false })]));
    expect(document.paths['/api/custom/orders/{id}'].get.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string' }) })]);
  });

  it('declares every answer the routes gave', async () => {
    const check = new OpenApiResponseCheck((await t.request('GET', '/api/openapi.json')).body as OpenApiDocumentShape);
    const calls: [string, string, unknown, Record<string, string>][] = [
      ['POST', '/api/custom/notes', { text: 'ok' }, user.auth],
      ['POST', '/api/custom/notes', { text: '' }, user.auth],
      ['POST', '/api/custom/notes', { text: 'ok' }, anonymous],
      ['GET', '/api/custom/admin-report', undefined, user.auth],
      ['GET', '/api/custom/sum?a=x', undefined, anonymous],
      ['GET', '/api/custom/orders/bad', undefined, anonymous],
      ['POST', '/api/custom/refuse', {}, anonymous],
      ['POST', '/api/custom/crash', {}, anonymous],
      ['DELETE', '/api/custom/nothing', undefined, anonymous],
    ];
    const problems = [];
    for (const [method, url, body, headers] of calls) {
      const response = await t.request(method, url, body, headers);
      problems.push(...check.check({ method, url, status: response.status, contentType: response.headers.get('content-type'), body: response.body }));
    }
    expect(problems).toEqual([]);
  });
});

describe('the address rate limit', () => {
  it('applies to custom routes', async () => {
    const limited = await startTestServer({ admin: false, extensions: [shop], config: { rateLimit: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.request('GET', '/api/custom/whoami', undefined, anonymous)).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toEqual([429, 429]);
    } finally {
      await limited.stop();
    }
  });
});

describe('routes whose paths read alike', () => {
  it('get distinct operation ids, so the document stays valid', async () => {
    const alike = await startTestServer({ admin: false, extensions: [(c) => {
      c.route('GET', '/api/custom/a-b', { auth: 'anyone' }, () => 1);
      c.route('GET', '/api/custom/a_b', { auth: 'anyone' }, () => 2);
    }] });
    try {
      const document = (await alike.request('GET', '/api/openapi.json')).body;
      expect([document.paths['/api/custom/a-b'].get.operationId, document.paths['/api/custom/a_b'].get.operationId]).toEqual(['custom_get_a_b', 'custom_get_a_b_2']);
      expect((await new Validator().validate(document)).errors ?? []).toEqual([]);
    } finally {
      await alike.stop();
    }
  });
});
