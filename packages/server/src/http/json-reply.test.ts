import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeReply, stringifyIteratively } from './json-reply.js';

describe('stringifyIteratively', () => {
  it('writes the same text as JSON.stringify for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyIteratively(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('skips undefined properties and writes undefined list items as null, like JSON.stringify', () => {
    const value = { a: undefined, b: [undefined, 1], c: new Date(0) };
    expect(stringifyIteratively(value)).toBe(JSON.stringify(value));
  });

  it('serialises a value nested 100,000 levels deep', () => {
    let value: unknown = 1;
    for (let i = 0; i < 100_000; i++) value = [value];
    const text = serializeReply({ deep: value });
    expect(text.length).toBe('{"deep":}'.length + 200_001);
  });
});
