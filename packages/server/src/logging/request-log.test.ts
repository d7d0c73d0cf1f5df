import { describe, expect, it } from 'vitest';
import { loggedPath, RequestLog, type RecordedRequest } from './request-log.js';

const entry = (n: number, status = 200): RecordedRequest => ({ timeMs: 0, requestId: `r${n}`, method: 'GET', path: `/p/${n}`, status, durationMs: 1 });

describe('the request log', () => {
  it('keeps the newest entries up to its capacity, newest first', () => {
    const log = new RequestLog(3);
    for (let n = 1; n <= 5; n++) log.add(entry(n));
    expect(log.recent(10).map((e) => e.requestId)).toEqual(['r5', 'r4', 'r3']);
    expect(log.recent(2)).toEqual([
      { time: '1970-01-01T00:00:00.000Z', requestId: 'r5', method: 'GET', path: '/p/5', status: 200, durationMs: 1 },
      { time: '1970-01-01T00:00:00.000Z', requestId: 'r4', method: 'GET', path: '/p/4', status: 200, durationMs: 1 },
    ]);
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
