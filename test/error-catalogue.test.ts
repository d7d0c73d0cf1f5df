import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue, errorCodes } from '@causeway/core';

describe('the error catalogue', () => {
  it('is documented in docs/rest.md, code by code, with the same status', () => {
    const docs = readFileSync(new URL('../docs/rest.md', import.meta.url), 'utf8');
    const documented = new Map([...docs.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
    expect([...documented.keys()].sort()).toEqual([...errorCodes].sort());
    for (const code of errorCodes) expect(documented.get(code)).toBe(errorCatalogue[code].status);
  });
});
