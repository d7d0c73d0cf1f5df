import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { SqlExecutor } from '../sql/sql-database.js';
import type { SqlTemplate } from '../sql/sql-template.js';
import { hashSecret, type SessionOwner } from './sessions.js';

/** Accounts' TOTP second factors: one row per account that started setting one up. All columns are text. */
export const secondFactorsTable = '_mfa';

const period = 30;
const recoveryCodeCount = 10;

/** What `setup` hands the account: the secret for an authenticator app, as text and as an `otpauth://` URI. */
export interface TotpSetup {
  secret: string;
  uri: string;
}

export interface SecondFactorStatus {
  enabled: boolean;
  recoveryCodesLeft: number;
}

const ownerKey = (owner: SessionOwner) => `${owner.realm}/${owner.subject}`;

/** `xxxxx-xxxxx` from an unambiguous alphabet (no 0/o, 1/l): 50 bits, typed from paper. */
function recoveryCode(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

const normalizeRecovery = (code: string) => code.trim().toLowerCase();

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock drift either way, `otpauth`) with single-use recovery
 * codes stored hashed. A code's time step is remembered, so a code seen once (over a shoulder, in a proxy log)
 * cannot sign in again. The TOTP secret itself must be read back to check codes, so it is stored as it is:
 * protect the database like the password hashes in it.
 */
export class SecondFactors {
  constructor(
    private readonly s: SqlTemplate,
    private readonly issuer: string,
  ) {}

  async status(executor: SqlExecutor, owner: SessionOwner): Promise<SecondFactorStatus> {
    const row = await this.row(executor, owner);
    return { enabled: row?.enabled === '1', recoveryCodesLeft: row?.enabled === '1' ? (JSON.parse(String(row.recovery)) as string[]).length : 0 };
  }

  /** A new secret, pending until `enable` sees a code from it; replaces an earlier pending one. */
  async setup(tx: SqlExecutor, owner: SessionOwner, label: string): Promise<TotpSetup> {
    const secret = new Secret({ size: 20 }).base32;
    const t = this.s.id(secondFactorsTable);
    const put = this.s.q`INSERT INTO ${t} (owner, realm, subject, secret, enabled, last_step, recovery) VALUES (${ownerKey(owner)}, ${owner.realm}, ${owner.subject}, ${secret}, ${'0'}, ${'0'}, ${'[]'})
      ON CONFLICT (owner) DO UPDATE SET secret = excluded.secret, enabled = excluded.enabled, last_step = excluded.last_step, recovery = excluded.recovery`;
    await tx.run(put.text, put.params);
    return { secret, uri: this.totp(secret, label).toString() };
  }

  /** Turns the pending secret on if `code` comes from it; returns the recovery codes (shown once), or undefined. */
  async enable(tx: SqlExecutor, owner: SessionOwner, code: string): Promise<string[] | undefined> {
    const row = await this.row(tx, owner);
    if (!row || row.enabled === '1') return undefined;
    const step = this.step(String(row.secret), code, 0);
    if (step === undefined) return undefined;
    const codes = Array.from({ length: recoveryCodeCount }, recoveryCode);
    const hashes = JSON.stringify(codes.map((c) => hashSecret(c)));
    const on = this.s.q`UPDATE ${this.s.id(secondFactorsTable)} SET enabled = ${'1'}, last_step = ${String(step)}, recovery = ${hashes} WHERE owner = ${ownerKey(owner)}`;
    await tx.run(on.text, on.params);
    return codes;
  }

  /** New recovery codes in place of every earlier one (shown once); undefined when the factor is not on. */
  async regenerateRecovery(tx: SqlExecutor, owner: SessionOwner): Promise<string[] | undefined> {
    if (!(await this.isEnabled(tx, owner))) return undefined;
    const codes = Array.from({ length: recoveryCodeCount }, recoveryCode);
    const put = this.s.q`UPDATE ${this.s.id(secondFactorsTable)} SET recovery = ${JSON.stringify(codes.map((c) => hashSecret(c)))} WHERE owner = ${ownerKey(owner)}`;
    await tx.run(put.text, put.params);
    return codes;
  }

  async isEnabled(executor: SqlExecutor, owner: SessionOwner): Promise<boolean> {
    return (await this.row(executor, owner))?.enabled === '1';
  }

  /**
   * Whether `code` is a current TOTP code not used before, or an unused recovery code (then spent). Run inside the
   * transaction that signs in, so two requests cannot both spend one code.
   */
  async check(tx: SqlExecutor, owner: SessionOwner, code: string): Promise<boolean> {
    const row = await this.row(tx, owner);
    if (!row || row.enabled !== '1') return false;
    const t = this.s.id(secondFactorsTable);
    if (/^\d{6}$/.test(code.trim())) {
      const step = this.step(String(row.secret), code.trim(), Number(row.last_step));
      if (step === undefined) return false;
      // Compare-and-set on the step, so a concurrent sign-in with the same code loses.
      const used = this.s.q`UPDATE ${t} SET last_step = ${String(step)} WHERE owner = ${ownerKey(owner)} AND last_step = ${String(row.last_step)}`;
      return (await tx.run(used.text, used.params)).changes === 1;
    }
    const hashes = JSON.parse(String(row.recovery)) as string[];
    const hash = hashSecret(normalizeRecovery(code));
    if (!hashes.includes(hash)) return false;
    const left = JSON.stringify(hashes.filter((h) => h !== hash));
    const spend = this.s.q`UPDATE ${t} SET recovery = ${left} WHERE owner = ${ownerKey(owner)} AND recovery = ${String(row.recovery)}`;
    return (await tx.run(spend.text, spend.params)).changes === 1;
  }

  async remove(tx: SqlExecutor, owner: SessionOwner): Promise<void> {
    const drop = this.s.q`DELETE FROM ${this.s.id(secondFactorsTable)} WHERE owner = ${ownerKey(owner)}`;
    await tx.run(drop.text, drop.params);
  }

  /** The time step `code` belongs to (now, or one step either side), if later than `after`. */
  private step(secret: string, code: string, after: number): number | undefined {
    const delta = this.totp(secret, '').validate({ token: code, window: 1 });
    if (delta === null) return undefined;
    const step = Math.floor(Date.now() / 1000 / period) + delta;
    return step > after ? step : undefined;
  }

  private totp(secret: string, label: string): TOTP {
    return new TOTP({ issuer: this.issuer, label, algorithm: 'SHA1', digits: 6, period, secret: Secret.fromBase32(secret) });
  }

  private async row(executor: SqlExecutor, owner: SessionOwner) {
    const found = this.s.q`SELECT secret, enabled, last_step, recovery FROM ${this.s.id(secondFactorsTable)} WHERE owner = ${ownerKey(owner)}`;
    return executor.get(found.text, found.params);
  }
}
