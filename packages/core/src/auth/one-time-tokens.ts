import type { SqlExecutor } from '../sql/sql-database.js';
import type { SqlTemplate } from '../sql/sql-template.js';
import { hashSecret, newSecret, type SessionOwner } from './sessions.js';

export const oneTimeTokensTable = '_auth_tokens';

export type OneTimePurpose = 'password-reset' | 'verification' | 'passkey-registration' | 'passkey-sign-in';

/**
 * Single-use secrets: mailed to an account (reset, verification; newest one only), or WebAuthn challenges (one
 * pending registration per account; sign-in challenges belong to no account yet). Stored hashed.
 */
export class OneTimeTokens {
  constructor(private readonly s: SqlTemplate) {}

  async issue(tx: SqlExecutor, purpose: OneTimePurpose, owner: SessionOwner, ttlSeconds: number): Promise<string> {
    const t = this.s.id(oneTimeTokensTable);
    const clear = this.s.q`DELETE FROM ${t} WHERE purpose = ${purpose} AND realm = ${owner.realm} AND subject = ${owner.subject}`;
    await tx.run(clear.text, clear.params);
    return this.insert(tx, purpose, owner, ttlSeconds);
  }

  /** A token for no account (consumed, it yields `''`); several may be live at once. */
  issueUnbound(tx: SqlExecutor, purpose: OneTimePurpose, realm: string, ttlSeconds: number): Promise<string> {
    return this.insert(tx, purpose, { realm, subject: '' }, ttlSeconds);
  }

  async clearExpired(tx: SqlExecutor, purpose: OneTimePurpose): Promise<void> {
    const clear = this.s.q`DELETE FROM ${this.s.id(oneTimeTokensTable)} WHERE purpose = ${purpose} AND expires < ${new Date().toISOString()}`;
    await tx.run(clear.text, clear.params);
  }

  private async insert(tx: SqlExecutor, purpose: OneTimePurpose, owner: SessionOwner, ttlSeconds: number): Promise<string> {
    const { secret, hash } = newSecret();
    const expires = new Date(Date.now() + ttlSeconds * 1000).toISOString();
    const insert = this.s.q`INSERT INTO ${this.s.id(oneTimeTokensTable)} (token_hash, purpose, realm, subject, expires) VALUES (${hash}, ${purpose}, ${owner.realm}, ${owner.subject}, ${expires})`;
    await tx.run(insert.text, insert.params);
    return secret;
  }

  /** Drops every token of an account (it was deleted: a link mailed earlier must not act on a later account). */
  async revokeAll(tx: SqlExecutor, owner: SessionOwner): Promise<void> {
    const drop = this.s.q`DELETE FROM ${this.s.id(oneTimeTokensTable)} WHERE realm = ${owner.realm} AND subject = ${owner.subject}`;
    await tx.run(drop.text, drop.params);
  }

  /** The account a live token was issued to; the token is spent either way. */
  async consume(tx: SqlExecutor, purpose: OneTimePurpose, realm: string, token: string): Promise<string | undefined> {
    const t = this.s.id(oneTimeTokensTable);
    const hash = hashSecret(token);
    const found = this.s.q`SELECT subject, expires FROM ${t} WHERE token_hash = ${hash} AND purpose = ${purpose} AND realm = ${realm}`;
    const row = await tx.get(found.text, found.params);
    if (!row) return undefined;
    const spend = this.s.q`DELETE FROM ${t} WHERE token_hash = ${hash}`;
    await tx.run(spend.text, spend.params);
    return String(row.expires) > new Date().toISOString() ? String(row.subject) : undefined;
  }
}
