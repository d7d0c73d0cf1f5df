import type { SqlExecutor } from '../../sql/sql-database.js';
import type { SqlTemplate } from '../../sql/sql-template.js';
import { hashSecret, newSecret } from '../sessions.js';

/**
 * Server-side halves of sign-ins in progress, keyed by the hash of the value handed to the browser: a flow's
 * `state` (with its PKCE verifier, nonce and redirect URI) or, after the provider answered for an account with a
 * second factor, an MFA ticket. One-time and short-lived.
 */
export const oauthStatesTable = '_oauth_states';

export type OAuthStateKind = 'flow' | 'mfa';

export interface FlowState {
  provider: string;
  redirectUri: string;
  codeVerifier: string;
  nonce: string;
}

export interface MfaTicket {
  provider: string;
  subject: string;
}

type Payloads = { flow: FlowState; mfa: MfaTicket };

export class OAuthStates {
  constructor(private readonly s: SqlTemplate) {}

  /** Stores `payload` and answers the opaque value that names it (`state`, or a ticket). */
  async issue<K extends OAuthStateKind>(tx: SqlExecutor, kind: K, realm: string, payload: Payloads[K], ttlSeconds: number): Promise<string> {
    const { secret, hash } = newSecret();
    const t = this.s.id(oauthStatesTable);
    const now = new Date();
    // Expired rows go as new ones come, so abandoned flows do not pile up.
    const sweep = this.s.q`DELETE FROM ${t} WHERE expires < ${now.toISOString()}`;
    await tx.run(sweep.text, sweep.params);
    const expires = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    const put = this.s.q`INSERT INTO ${t} (state_hash, kind, realm, payload, expires) VALUES (${hash}, ${kind}, ${realm}, ${JSON.stringify(payload)}, ${expires})`;
    await tx.run(put.text, put.params);
    return secret;
  }

  /** The payload of a live value of this kind and realm; spent either way, so it works once. */
  async consume<K extends OAuthStateKind>(tx: SqlExecutor, kind: K, realm: string, value: string): Promise<Payloads[K] | undefined> {
    const row = await this.find(tx, kind, realm, value);
    if (!row) return undefined;
    const spend = this.s.q`DELETE FROM ${this.s.id(oauthStatesTable)} WHERE state_hash = ${hashSecret(value)}`;
    // A concurrent request that spent it first wins; this one gets nothing.
    if ((await tx.run(spend.text, spend.params)).changes !== 1) return undefined;
    return row.live ? row.payload : undefined;
  }

  /** The payload of a live value without spending it (an MFA ticket survives a mistyped code). */
  async peek<K extends OAuthStateKind>(executor: SqlExecutor, kind: K, realm: string, value: string): Promise<Payloads[K] | undefined> {
    const row = await this.find(executor, kind, realm, value);
    return row?.live ? row.payload : undefined;
  }

  private async find<K extends OAuthStateKind>(executor: SqlExecutor, kind: K, realm: string, value: string): Promise<{ payload: Payloads[K]; live: boolean } | undefined> {
    const q = this.s.q`SELECT payload, expires FROM ${this.s.id(oauthStatesTable)} WHERE state_hash = ${hashSecret(value)} AND kind = ${kind} AND realm = ${realm}`;
    const row = await executor.get(q.text, q.params);
    if (!row) return undefined;
    return { payload: JSON.parse(String(row.payload)) as Payloads[K], live: String(row.expires) > new Date().toISOString() };
  }
}
