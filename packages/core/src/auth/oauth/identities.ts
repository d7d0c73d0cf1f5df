import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../../sql/sql-database.js';
import type { SqlTemplate } from '../../sql/sql-template.js';
import type { SessionOwner } from '../sessions.js';

/** Accounts' identities at OAuth providers: one row per (realm, provider, subject). All columns are text. */
export const identitiesTable = '_identities';

/** A linked identity as its account sees it. */
export interface Identity {
  id: string;
  provider: string;
  /** The email the provider gave when the identity was linked. */
  email: string;
  created: string;
}

const keyOf = (realm: string, provider: string, subject: string) => JSON.stringify([realm, provider, subject]);

export class Identities {
  constructor(private readonly s: SqlTemplate) {}

  /** The account an identity at `provider` belongs to. */
  async accountOf(executor: SqlExecutor, realm: string, provider: string, subject: string): Promise<string | undefined> {
    const q = this.s.q`SELECT account FROM ${this.s.id(identitiesTable)} WHERE key = ${keyOf(realm, provider, subject)}`;
    const row = await executor.get(q.text, q.params);
    return row ? String(row.account) : undefined;
  }

  async link(tx: SqlExecutor, owner: SessionOwner, provider: string, subject: string, email: string): Promise<void> {
    const q = this.s.q`INSERT INTO ${this.s.id(identitiesTable)} (key, id, realm, account, provider, subject, email, created)
      VALUES (${keyOf(owner.realm, provider, subject)}, ${randomUUID()}, ${owner.realm}, ${owner.subject}, ${provider}, ${subject}, ${email}, ${new Date().toISOString()})`;
    await tx.run(q.text, q.params);
  }

  async list(executor: SqlExecutor, owner: SessionOwner): Promise<Identity[]> {
    const q = this.s.q`SELECT id, provider, email, created FROM ${this.s.id(identitiesTable)} WHERE realm = ${owner.realm} AND account = ${owner.subject} ORDER BY created, id`;
    return (await executor.all(q.text, q.params)).map((row) => ({ id: String(row.id), provider: String(row.provider), email: String(row.email), created: String(row.created) }));
  }

  async unlink(tx: SqlExecutor, owner: SessionOwner, id: string): Promise<boolean> {
    const q = this.s.q`DELETE FROM ${this.s.id(identitiesTable)} WHERE realm = ${owner.realm} AND account = ${owner.subject} AND id = ${id}`;
    return (await tx.run(q.text, q.params)).changes > 0;
  }

  /** Drops one identity whatever account it names (it named an account that is gone). */
  async forget(tx: SqlExecutor, realm: string, provider: string, subject: string): Promise<void> {
    const q = this.s.q`DELETE FROM ${this.s.id(identitiesTable)} WHERE key = ${keyOf(realm, provider, subject)}`;
    await tx.run(q.text, q.params);
  }

  async removeAll(tx: SqlExecutor, owner: SessionOwner): Promise<void> {
    const q = this.s.q`DELETE FROM ${this.s.id(identitiesTable)} WHERE realm = ${owner.realm} AND account = ${owner.subject}`;
    await tx.run(q.text, q.params);
  }
}
