import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisCounterStore } from '../packages/server/src/auth/counter-store.js';
import { RedisRateLimiter } from '../packages/server/src/auth/rate-limiter.js';
import { requestFrom } from './support/request-from.js';
import { serviceAvailable } from './support/services.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const redisUrl = 'redis://127.0.0.1:6379';
const available = await serviceAvailable('Redis', '127.0.0.1', 6379);
/** This run's keys all start with it, so runs never share counters and the cleanup removes exactly them. */
const runPrefix = `causeway:test-rate:${randomBytes(6).toString('hex')}`;
const limiters: RedisRateLimiter[] = [];
let inspector: Redis | undefined;

/** A plain client to look at (and remove) what the limiters wrote. */
function redis(): Redis {
  inspector ??= new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  return inspector;
}

async function runKeys(pattern = '*'): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis().scanStream({ match: `${runPrefix}:${pattern}` })) keys.push(...(batch as string[]));
  return keys;
}

afterEach(async () => {
  for (const limiter of limiters.splice(0)) await limiter.close();
});

afterAll(async () => {
  if (!inspector) return;
  const keys = await runKeys();
  if (keys.length > 0) await inspector.del(...keys);
  inspector.disconnect();
});

/** Two instances' limiters on one Redis, with a key prefix of this test's own. */
function pair(limit: number, windowMs: number, now?: () => number): [RedisRateLimiter, RedisRateLimiter] {
  const prefix = `${runPrefix}:${randomBytes(4).toString('hex')}`;
  const made = [0, 1].map(() => new RedisRateLimiter(redisUrl, limit, { windowMs, prefix, ...(now ? { now } : {}) }));
  limiters.push(...made);
  return made as [RedisRateLimiter, RedisRateLimiter];
}

function retryAfterOf(attempt: Promise<void>): Promise<number | undefined> {
  return attempt.then(
    () => undefined,
    (error: { code: string; extra: { retryAfter: number } }) => {
      expect(error.code).toBe('RATE_LIMITED');
      return error.extra.retryAfter;
    },
  );
}

describe.skipIf(!available)('rate limits shared through Redis', () => {
  it('counts attempts on every instance against one limit, per key', async () => {
    const [a, b] = pair(3, 60_000);
    await a.hit('ip:1', 'account:ann');
    await a.hit('ip:1', 'account:ann');
    await b.hit('ip:1');
    const retryAfter = await retryAfterOf(b.hit('ip:1'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Over on one key is enough; the other keys of the attempt are independent.
    expect(await retryAfterOf(a.hit('account:ann', 'ip:1'))).toBeGreaterThanOrEqual(1);
    await expect(a.hit('ip:2', 'account:bob')).resolves.toBeUndefined();
  });

  it('starts counting again in the next window, and lets Redis expire the old one', async () => {
    let now = 1_000_000;
    const [a, b] = pair(1, 1000, () => now);
    await a.hit('ip:1');
    await expect(b.hit('ip:1')).rejects.toMatchObject({ code: 'RATE_LIMITED', extra: { retryAfter: 1 } });
    // Window 1000 (= 1_000_000 ms / 1000 ms) of this pair: one counter, gone with its window.
    const ttls = await Promise.all((await runKeys('*:1000:ip:1')).map((key) => redis().pttl(key)));
    expect(ttls).toHaveLength(1);
    expect(ttls[0]).toBeGreaterThan(0);
    expect(ttls[0]).toBeLessThanOrEqual(1000);
    now += 1000;
    await expect(b.hit('ip:1')).resolves.toBeUndefined();
  });

  it('lets attempts through when Redis cannot be reached, and says so once', async () => {
    const errors: unknown[] = [];
    const limiter = new RedisRateLimiter('redis://127.0.0.1:1', 1, { onError: (error) => errors.push(error) });
    limiters.push(limiter);
    await limiter.hit('ip:1');
    await limiter.hit('ip:1');
    expect(errors.length).toBe(1);
  });

  it('shares failure counts and marks between instances, and reads them as nothing when Redis cannot be reached', async () => {
    const prefix = `${runPrefix}:${randomBytes(4).toString('hex')}`;
    const [a, b] = [new RedisCounterStore(redisUrl, { prefix }), new RedisCounterStore(redisUrl, { prefix })];
    try {
      expect(await a.increment('fail:x', 60_000)).toBe(1);
      expect(await b.increment('fail:x', 60_000)).toBe(2);
      expect(await a.count('fail:x')).toBe(2);
      await b.mark('wait:x', 5000);
      const left = await a.remaining('wait:x');
      expect(left).toBeGreaterThan(4000);
      expect(left).toBeLessThanOrEqual(5000);
      await a.forget('fail:x', 'wait:x');
      expect(await b.count('fail:x')).toBe(0);
      expect(await b.remaining('wait:x')).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
    const errors: unknown[] = [];
    const away = new RedisCounterStore('redis://127.0.0.1:1', { onError: (error) => errors.push(error) });
    try {
      expect(await away.increment('fail:y', 1000)).toBe(0);
      expect(await away.remaining('wait:y')).toBe(0);
      expect(errors.length).toBe(1);
    } finally {
      await away.close();
    }
  });

  it('counts per deployment: two deployments sharing one Redis never count each other\'s attempts', async () => {
    // Two SQLite data directories: two deployments, each with its own id, on the same Redis.
    const [a, b] = (await Promise.all([0, 1].map(() => startTestServer({ config: { redisUrl, authRateLimit: 2 } })))) as [TestServer, TestServer];
    try {
      const attempt = (url: string) => requestFrom('127.0.0.9', url, 'POST', '/api/admins/auth/sign-in', { email: 'nobody@example.com', password: 'wrong password here' });
      for (let i = 0; i < 2; i++) expect((await attempt(a.url)).status).toBe(401);
      expect((await attempt(a.url)).status).toBe(429);
      // The same address at the other deployment has its own budget.
      expect((await attempt(b.url)).status).toBe(401);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
