import { CausewayError } from '../errors/causeway-error.js';
import { isStorableText, unstorableTextMessage } from '../values/storable-text.js';

/**
 * Refuses, before any statement runs, a parameter no database can take as given: text with a NUL character or a
 * lone surrogate (PostgreSQL refuses the first, and both drivers would turn the second into U+FFFD). Checking
 * every bound value here covers every way text reaches SQL (record values, lookups such as a sign-in email,
 * cursors, rule variables) at once, and gives the same 400 on every database.
 */
export function assertStorableParams(params: readonly unknown[]): void {
  for (const value of params) {
    if (typeof value === 'string' && !isStorableText(value)) {
      throw new CausewayError('BAD_REQUEST', `A value in the request ${unstorableTextMessage}.`);
    }
  }
}
