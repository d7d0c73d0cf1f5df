import { describe, expect, it } from 'vitest';
import { MemoryCounterStore } from '../auth/counter-store.js';
import { AddressRateLimit } from './address-rate-limit.js';

describe('the request limit per address', () => {
  it('lets `limit` requests through in a window, then answers the seconds left until the next', () => {
    let now = 60_000 * 100 + 15_000;
    const limit = new AddressRateLimit(3, { now: () => now });
    expect([limit.take('a'), limit.take('a'), limit.take('a')]).toEqual([0, 0, 0]);
    expect(limit.take('a')).toBe(45);
    expect(limit.take('b')).toBe(0);
    now += 45_000;
    expect(limit.take('a')).toBe(0);
  });

  it('holds a client to one limit across instances that share their counts', async () => {
    const shared = new MemoryCounterStore();
    const now = () => 60_000 * 7 + 1000;
    const a = new AddressRateLimit(10, { shared, now, syncMs: 60_000 });
    const b = new AddressRateLimit(10, { shared, now, syncMs: 60_000 });
    for (let i = 0; i < 6; i++) expect([a.take('x'), b.take('x')]).toEqual([0, 0]);
    await a.sync();
    await b.sync();
    await a.sync();
    expect(a.take('x')).toBeGreaterThan(0);
    expect(b.take('x')).toBeGreaterThan(0);
    expect(a.take('y')).toBe(0);
    a.close();
    b.close();
  });

  it('counts a spray of new addresses past its table size together', () => {
    const limit = new AddressRateLimit(5, { now: () => 0 });
    for (let i = 0; i < 200_000; i++) limit.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    const refused = Array.from({ length: 10 }, (_, i) => limit.take(`fd00::${i}`)).filter((wait) => wait > 0);
    expect(refused.length).toBeGreaterThan(0);
  });
});
