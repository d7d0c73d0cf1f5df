import { CausewayError } from '../errors/causeway-error.js';
import { passwordHashField } from '../schema/account-fields.js';
import type { SqlExecutor } from '../sql/sql-database.js';
import { args, type SqlTemplate } from '../sql/sql-template.js';
import { identitiesTable } from './oauth/identities.js';
import { passkeysTable } from './passkeys.js';
import type { SessionOwner } from './sessions.js';

/** The ways an account can sign in: its password, the providers' identities linked to it, its passkeys. */
export interface SignInMethods {
  password: boolean;
  identities: number;
  passkeys: number;
}

/** What `owner` can sign in with, read in `tx` (the transaction that is about to remove one of them). */
export async function signInMethods(tx: SqlExecutor, s: SqlTemplate, owner: SessionOwner): Promise<SignInMethods> {
  const password = await tx.get(...args(s.q`SELECT ${s.id(passwordHashField)} AS hash FROM ${s.id(owner.realm)} WHERE id = ${owner.subject}`));
  const identities = await tx.get(...args(s.q`SELECT COUNT(*) AS n FROM ${s.id(identitiesTable)} WHERE realm = ${owner.realm} AND account = ${owner.subject}`));
  const passkeys = await tx.get(...args(s.q`SELECT COUNT(*) AS n FROM ${s.id(passkeysTable)} WHERE realm = ${owner.realm} AND subject = ${owner.subject}`));
  return { password: typeof password?.hash === 'string' && password.hash !== '', identities: Number(identities?.n ?? 0), passkeys: Number(passkeys?.n ?? 0) };
}

/** Refuses removing one method when it is the account's last way to sign in (`409 LAST_SIGN_IN_METHOD`). */
export async function assertNotLastSignInMethod(tx: SqlExecutor, s: SqlTemplate, owner: SessionOwner): Promise<void> {
  const methods = await signInMethods(tx, s, owner);
  if ((methods.password ? 1 : 0) + methods.identities + methods.passkeys > 1) return;
  throw new CausewayError('LAST_SIGN_IN_METHOD', 'This is the account’s only way to sign in; set a password (password reset), link a provider or add a passkey first.');
}
