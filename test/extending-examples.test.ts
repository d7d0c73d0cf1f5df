import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausewayError } from '@causeway/core';
import { defineExtension } from '../packages/server/src/extend/extender.js';
import { anonymous } from './support/accounts.js';
import { startTestServer, type TestServer } from './support/test-server.js';

/** The webhook of docs/extending.md as printed there (only the secret's source differs). */
const secret = 'whsec_docs_example';

const payments = defineExtension((causeway) => {
  causeway.route(
    'POST',
    '/api/custom/webhooks/payments',
    { auth: 'anyone', rawBody: true, body: z.object({ id: z.string(), type: z.string(), amount: z.number().int() }), summary: 'Payment events' },
    async ({ rawBody, body, request, records }) => {
      const header = String(request.headers['payments-signature'] ?? '');
      const t = /(?:^|,)t=(\d+)/.exec(header)?.[1];
      const given = /(?:^|,)v1=([0-9a-f]{64})/.exec(header)?.[1];
      if (!t || !given || Math.abs(Date.now() / 1000 - Number(t)) > 300) throw new CausewayError('FORBIDDEN', 'Missing or stale signature.');
      const expected = createHmac('sha256', secret).update(`${t}.${rawBody.toString('utf8')}`).digest();
      if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) throw new CausewayError('FORBIDDEN', 'The signature does not match the body.');
      try {
        // The event id as the record id: a delivery the provider retries cannot be stored twice.
        await records.asAdmin().create('payments', { id: body.id.toLowerCase(), type: body.type, amount: body.amount });
      } catch (error) {
        if (!(error instanceof CausewayError && error.code === 'UNIQUE_VIOLATION')) throw error;
      }
      return { received: true };
    },
  );
});

function signed(body: string, at = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { ...anonymous, 'payments-signature': `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}` };
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ extensions: [payments] });
  expect((await t.request('POST', '/api/collections', { name: 'payments', fields: [{ name: 'type', type: 'text' }, { name: 'amount', type: 'number', integer: true }] })).status).toBe(201);
});
afterAll(() => t.stop());

describe('the webhook example of docs/extending.md', () => {
  const event = JSON.stringify({ id: 'evt_1PaymentA', type: 'payment.succeeded', amount: 4200 });

  it('stores a signed event once, however often it is delivered', async () => {
    for (let delivery = 0; delivery < 3; delivery++) {
      const response = await t.request('POST', '/api/custom/webhooks/payments', event, signed(event));
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toEqual({ received: true });
    }
    const stored = (await t.request('GET', '/api/collections/payments/records')).body.items;
    expect(stored).toEqual([expect.objectContaining({ id: 'evt_1paymenta', type: 'payment.succeeded', amount: 4200 })]);
  });

  it('refuses an unsigned, a stale, a forged and a replayed-with-other-bytes event, storing nothing', async () => {
    const other = JSON.stringify({ id: 'evt_2', type: 'payment.succeeded', amount: 1 });
    const attempts: Record<string, string>[] = [
      { ...anonymous },
      signed(other, Math.floor(Date.now() / 1000) - 3600),
      { ...anonymous, 'payments-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      signed(event),
    ];
    for (const headers of attempts) {
      const response = await t.request('POST', '/api/custom/webhooks/payments', other, headers);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('FORBIDDEN');
    }
    expect((await t.request('GET', '/api/collections/payments/records/evt_2')).status).toBe(404);
  });
});
