import { describe, expect, it } from 'vitest';
import { loggedPath, RequestLog, type RequestLogEntry } from './request-log.js';

const entry = (n: number, status = 200): RequestLogEntry => ({ time: '', requestId: `r${n}`, method: 'GET', path: `/p/${n}`, status, durationMs: 1 });

describe('the request log', () => {
  it('keeps the newest entries up to its capacity, newest first', () => {
    const log = new RequestLog(3);
    for (let n = 1; n <= 5; n++) log.add(entry(n));
    expect(log.recent(10).map((e) => e.requestId)).toEqual(['r5', 'r4', 'r3']);
    expect(log.recent(2).map((e) => e.requestId)).toEqual(['r5', 'r4']);
  });

  it('filters while reading, and a log of size 0 keeps nothing', () => {
    const log = new RequestLog(10);
    [200, 404, 201, 500].forEach((status, n) => log.add(entry(n, status)));
    expect(log.recent(10, (e) => e.status >= 400).map((e) => e.status)).toEqual([500, 404]);
    const none = new RequestLog(0);
    none.add(entry(1));
    expect(none.recent(10)).toEqual([]);
  });

  it('drops the query string and bounds the path', () => {
    expect(loggedPath('/api/x?token=secret&filter=email%3D%22a%40b%22')).toBe('/api/x');
    expect(loggedPath(`/${'a'.repeat(600)}`)).toHaveLength(513);
  });
});
