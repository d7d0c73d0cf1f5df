import { describe, expect, it } from 'vitest';
import { recordIdGenerator } from './record-ids.js';

describe('record ids', () => {
  it('sort in the order they were made, within one millisecond and across many', () => {
    const next = recordIdGenerator();
    const ids = Array.from({ length: 20_000 }, next);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are 26 lower-case Crockford base32 characters with a random part that varies', () => {
    const next = recordIdGenerator();
    const ids = Array.from({ length: 2_000 }, next);
    for (const id of ids) expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
    // A fresh random part each millisecond (not the same one incremented): the first random characters differ.
    const first = recordIdGenerator();
    const a = first();
    const b = recordIdGenerator()();
    expect(a.slice(10, 20)).not.toBe(b.slice(10, 20));
  });
});
