import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../sql/sql-database.js';
import { args, type SqlTemplate } from '../sql/sql-template.js';

export const sessionsTable = '_sessions';

/** An opaque secret for the client; only its SHA-256 is stored, so a database leak reveals no usable token. */
export function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface SessionOwner {
  realm: string;
  subject: string;
}

export type RotateOutcome =
  | { kind: 'rotated'; owner: SessionOwner; sessionId: string; refreshToken: string }
  | { kind: 'invalid' }
  /** The token was already used: someone holds a copy, so its whole session was revoked. */
  | { kind: 'reused'; sessionId: string };

/**
 * Refresh tokens: single use, rotated on every refresh, grouped in a session (a token family). Reusing a spent
 * token revokes the session, which signs out both the thief and the victim (OAuth 2.0 Security BCP §4.14).
 */
export class Sessions {
  constructor(
    private readonly s: SqlTemplate,
    private readonly ttlSeconds: () => number,
  ) {}

  async start(tx: SqlExecutor, owner: SessionOwner): Promise<{ sessionId: string; refreshToken: string }> {
    const sessionId = randomUUID();
    return { sessionId, refreshToken: await this.issue(tx, owner, sessionId) };
  }

  /**
   * Spends a refresh token of `realm` for a new one. A token of another realm is refused untouched: spending it
   * would make the owner's next, correct refresh look like reuse and revoke the session.
   */
  async rotate(tx: SqlExecutor, refreshToken: string, realm: string, now = new Date()): Promise<RotateOutcome> {
    const found = await tx.get(
      ...args(this.s.q`SELECT id, family, realm, subject, expires, used, revoked FROM ${this.s.id(sessionsTable)} WHERE token_hash = ${hashSecret(refreshToken)}`),
    );
    if (!found || String(found.realm) !== realm) return { kind: 'invalid' };
    const family = String(found.family);
    if (found.revoked !== null) return { kind: 'invalid' };
    if (found.used !== null) {
      await this.revokeSession(tx, family);
      return { kind: 'reused', sessionId: family };
    }
    if (String(found.expires) <= now.toISOString()) return { kind: 'invalid' };
    await tx.run(...args(this.s.q`UPDATE ${this.s.id(sessionsTable)} SET used = ${now.toISOString()} WHERE id = ${found.id}`));
    const owner = { realm: String(found.realm), subject: String(found.subject) };
    return { kind: 'rotated', owner, sessionId: family, refreshToken: await this.issue(tx, owner, family) };
  }

  /** The session a refresh token belongs to, if it is live (for sign-out). */
  async sessionOf(tx: SqlExecutor, refreshToken: string): Promise<(SessionOwner & { sessionId: string }) | undefined> {
    const row = await tx.get(...args(this.s.q`SELECT family, realm, subject FROM ${this.s.id(sessionsTable)} WHERE token_hash = ${hashSecret(refreshToken)} AND revoked IS NULL`));
    return row ? { sessionId: String(row.family), realm: String(row.realm), subject: String(row.subject) } : undefined;
  }

  /** Revokes a session in the database; the caller tells live sessions and caches once the transaction commits. */
  async revokeSession(tx: SqlExecutor, sessionId: string): Promise<void> {
    await tx.run(...args(this.s.q`UPDATE ${this.s.id(sessionsTable)} SET revoked = ${new Date().toISOString()} WHERE family = ${sessionId} AND revoked IS NULL`));
  }

  /** Signs an account out everywhere, except the session `keep` (the one changing its password). */
  async revokeAll(tx: SqlExecutor, owner: SessionOwner, keep?: string): Promise<void> {
    await tx.run(
      ...args(this.s.q`UPDATE ${this.s.id(sessionsTable)} SET revoked = ${new Date().toISOString()}
        WHERE realm = ${owner.realm} AND subject = ${owner.subject} AND family <> ${keep ?? ''} AND revoked IS NULL`),
    );
  }

  /** Which of `sessionIds` are no longer live (revoked, or unknown). */
  async ended(executor: SqlExecutor, sessionIds: readonly string[]): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const params = this.s.params();
    const list = sessionIds.map((id) => params.add(id)).join(', ');
    const rows = await executor.all(`SELECT DISTINCT family FROM ${this.s.id(sessionsTable).text} WHERE family IN (${list}) AND revoked IS NULL`, params.values);
    const live = new Set(rows.map((row) => String(row.family)));
    return sessionIds.filter((id) => !live.has(id));
  }

  /** When a session began (its first refresh token), if it is live. */
  async startedAt(executor: SqlExecutor, sessionId: string): Promise<string | undefined> {
    const row = await executor.get(...args(this.s.q`SELECT MIN(created) AS started FROM ${this.s.id(sessionsTable)} WHERE family = ${sessionId} AND revoked IS NULL`));
    return row?.started ? String(row.started) : undefined;
  }

  /** Whether a session can still be used: access tokens of a revoked session stop working at once. */
  async isLive(executor: SqlExecutor, sessionId: string): Promise<boolean> {
    const row = await executor.get(...args(this.s.q`SELECT 1 AS live FROM ${this.s.id(sessionsTable)} WHERE family = ${sessionId} AND revoked IS NULL LIMIT 1`));
    return row !== undefined;
  }

  private async issue(tx: SqlExecutor, owner: SessionOwner, family: string): Promise<string> {
    const { secret, hash } = newSecret();
    const now = new Date();
    const expires = new Date(now.getTime() + this.ttlSeconds() * 1000).toISOString();
    await tx.run(
      ...args(this.s.q`INSERT INTO ${this.s.id(sessionsTable)} (id, family, realm, subject, token_hash, created, expires)
        VALUES (${randomUUID()}, ${family}, ${owner.realm}, ${owner.subject}, ${hash}, ${now.toISOString()}, ${expires})`),
    );
    return secret;
  }
}
