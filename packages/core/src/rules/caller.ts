import type { CausewayRecord } from '../records/record.js';

/**
 * Who is asking, as every surface hands it to the core: nobody, a signed-in user of an auth collection,
 * an admin, or Causeway itself (auth flows that set read-only fields such as `verified`).
 */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly collection: string; readonly record: CausewayRecord; readonly sessionId: string }
  | { readonly kind: 'admin'; readonly id: string; readonly email: string; readonly sessionId: string }
  | { readonly kind: 'system' };

export const anonymousCaller: Caller = Object.freeze({ kind: 'anonymous' });
export const systemCaller: Caller = Object.freeze({ kind: 'system' });

/** Admins and Causeway itself pass every rule and may set read-only fields. */
export function isPrivileged(caller: Caller): boolean {
  return caller.kind === 'admin' || caller.kind === 'system';
}
