import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue, errorCodes, type ErrorCode as CoreCode } from '@causeway/core';
import type { ErrorCode as ClientCode, Problem as ClientProblem } from '@causeway/client';
import type { ErrorCode as WireCode, Problem } from '@causeway/wire';

/** Compiles only when A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The build also refuses a catalogue that is not exactly the wire's codes (`satisfies Record<ErrorCode, …>`);
// these say the server's, the client's and the wire's names are one type.
const sameCodes: [Same<CoreCode, WireCode>, Same<ClientCode, WireCode>, Same<ClientProblem, Problem>, Same<Problem['code'], WireCode>] = [true, true, true, true];

describe('the error catalogue', () => {
  it('is documented in docs/rest.md, code by code, with the same status', () => {
    const docs = readFileSync(new URL('../docs/rest.md', import.meta.url), 'utf8');
    const documented = new Map([...docs.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
    expect([...documented.keys()].sort()).toEqual([...errorCodes].sort());
    for (const code of errorCodes) expect(documented.get(code)).toBe(errorCatalogue[code].status);
  });

  it('names exactly the codes of the wire union that clients are typed with', () => {
    expect(sameCodes).toEqual([true, true, true, true]);
    const wire = readFileSync(new URL('../packages/wire/src/error-code.ts', import.meta.url), 'utf8');
    const union = [...wire.slice(wire.indexOf('export type ErrorCode')).matchAll(/\| '([A-Z_]+)'/g)].map((m) => m[1]);
    expect(union.sort()).toEqual([...errorCodes].sort());
  });
});
