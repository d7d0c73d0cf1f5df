import { describe, expect, it } from 'vitest';
import type { Caller } from '../rules/caller.js';
import { CallerCache } from './caller-cache.js';

const user = (id: string, sessionId: string): Extract<Caller, { kind: 'user' }> => ({ kind: 'user', collection: 'users', sessionId, record: { id, created: '', updated: '' } });

describe('the caller cache', () => {
  it('forgets a caller at its token expiry or its time limit, whichever is first', () => {
    let now = 0;
    const cache = new CallerCache(10_000, 100, () => now);
    cache.set('a', user('u1', 's1'), 'users', 5_000);
    cache.set('b', user('u2', 's2'), 'users', 60_000);
    now = 4_999;
    expect(cache.get('a')).toBeDefined();
    now = 5_000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    now = 10_000;
    expect(cache.get('b')).toBeUndefined();
  });

  it('forgets by session and by account', () => {
    const cache = new CallerCache();
    cache.set('a', user('u1', 's1'), 'users', Date.now() + 60_000);
    cache.set('b', user('u1', 's2'), 'users', Date.now() + 60_000);
    cache.set('c', user('u2', 's3'), 'users', Date.now() + 60_000);
    cache.forgetSession('s1');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    cache.forgetAccount('staff', 'u1');
    expect(cache.get('b')).toBeDefined();
    cache.forgetAccount('users', 'u1');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('holds at most its capacity, dropping the oldest', () => {
    const cache = new CallerCache(10_000, 2);
    for (const token of ['a', 'b', 'c']) cache.set(token, user(token, token), 'users', Date.now() + 60_000);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });
});
