import { createHash } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { PasskeyInfo } from '@causeway/wire';
import { CausewayError } from '../errors/causeway-error.js';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import type { SqlTemplate } from '../sql/sql-template.js';
import { OneTimeTokens } from './one-time-tokens.js';
import type { SessionOwner } from './sessions.js';

/** Registered passkeys: one row per credential. All columns are text. */
export const passkeysTable = '_passkeys';

/** What `navigator.credentials.create()` / `get()` take, as JSON (`PublicKeyCredential.parse…OptionsFromJSON`). */
export type PasskeyRegistrationOptions = PublicKeyCredentialCreationOptionsJSON;
export type PasskeySignInOptions = PublicKeyCredentialRequestOptionsJSON;

/** Where passkeys are valid: the relying party's id (a registrable domain) and the page origins allowed to use them. */
export interface PasskeySettings {
  rpId: string;
  rpName: string;
  origins: readonly string[];
}


/** Who a verified passkey assertion signed in, and whether the authenticator verified the user (PIN, biometrics). */
export interface PasskeyAssertion {
  subject: string;
  userVerified: boolean;
}

const challengeTtlSeconds = 5 * 60;
const maxNameLength = 100;
const maxPasskeysPerAccount = 20;

/** A stable, opaque WebAuthn user handle: no email or id goes to the authenticator. */
const userHandle = (owner: SessionOwner) => new Uint8Array(createHash('sha256').update(`${owner.realm}/${owner.subject}`).digest());

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The challenge the browser signed, read from the response's client data (verified again by the library). */
function signedChallenge(response: { response: { clientDataJSON: string } }): string {
  try {
    const clientData: unknown = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
    return isObject(clientData) && typeof clientData.challenge === 'string' ? clientData.challenge : '';
  } catch {
    return '';
  }
}

function credentialOf<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(value: unknown): T {
  const ok = isObject(value) && typeof value.id === 'string' && value.id.length <= 1024 && isObject(value.response) && typeof value.response.clientDataJSON === 'string';
  if (!ok) throw new CausewayError('VALIDATION_FAILED', 'credential must be the JSON of a WebAuthn credential (PublicKeyCredential.toJSON()).', { fields: { credential: { code: 'invalid', message: 'is not a WebAuthn credential' } } });
  return value as unknown as T;
}

const refused = () => new CausewayError('INVALID_CREDENTIALS', 'The passkey was not accepted.');

/**
 * WebAuthn passkeys (`@simplewebauthn/server`): discoverable credentials, attestation `none`, user verification
 * preferred. Every challenge is single use and expires after five minutes: it is issued as a one-time token (stored
 * hashed) and spent when a response comes back signed over it, accepted or not. Counters that go backwards are
 * refused (a cloned authenticator), except for authenticators that always report 0.
 */
export class Passkeys {
  constructor(
    private readonly s: SqlTemplate,
    private readonly oneTime: OneTimeTokens,
    private readonly settings: PasskeySettings,
  ) {}

  /** Options for `navigator.credentials.create()`; a newer request replaces an unanswered one. */
  async registrationOptions(tx: SqlExecutor, owner: SessionOwner, userName: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.rows(tx, owner);
    if (existing.length >= maxPasskeysPerAccount) throw new CausewayError('CONFLICT', `An account can have at most ${maxPasskeysPerAccount} passkeys; remove one first.`);
    const challenge = await this.oneTime.issue(tx, 'passkey-registration', owner, challengeTtlSeconds);
    return generateRegistrationOptions({
      rpName: this.settings.rpName,
      rpID: this.settings.rpId,
      userName,
      userID: userHandle(owner),
      challenge: Buffer.from(challenge, 'base64url'),
      attestationType: 'none',
      excludeCredentials: existing.map((row) => ({ id: String(row.id), transports: JSON.parse(String(row.transports)) as string[] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      timeout: challengeTtlSeconds * 1000,
    });
  }

  /**
   * Checks the new credential against the account's pending challenge and stores it. The challenge is spent in a
   * transaction of its own first, so a refused answer cannot be tried again.
   */
  async register(db: SqlDatabase, owner: SessionOwner, credential: unknown, name: unknown): Promise<PasskeyInfo> {
    const response = credentialOf<RegistrationResponseJSON>(credential);
    const label = typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, maxNameLength) : 'Passkey';
    const challenge = signedChallenge(response);
    const pending = challenge === '' ? undefined : await db.transaction((tx) => this.oneTime.consume(tx, 'passkey-registration', owner.realm, challenge));
    if (pending !== owner.subject) throw new CausewayError('VALIDATION_FAILED', 'The passkey answers no pending registration of this account; ask for new options.', { fields: { credential: { code: 'unknown_challenge', message: 'answers no pending registration' } } });
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...this.settings.origins],
      expectedRPID: this.settings.rpId,
      requireUserVerification: false,
    }).catch(() => ({ verified: false as const }));
    if (!verified.verified) throw new CausewayError('VALIDATION_FAILED', 'The passkey could not be verified (wrong origin, relying party or signature).', { fields: { credential: { code: 'not_verified', message: 'could not be verified' } } });
    const { credential: stored, credentialBackedUp } = verified.registrationInfo;
    const now = new Date().toISOString();
    const t = this.s.id(passkeysTable);
    const insert = this.s.q`INSERT INTO ${t} (id, realm, subject, public_key, counter, transports, name, backed_up, created, last_used)
      VALUES (${stored.id}, ${owner.realm}, ${owner.subject}, ${Buffer.from(stored.publicKey).toString('base64url')}, ${String(stored.counter)},
      ${JSON.stringify(stored.transports ?? [])}, ${label}, ${credentialBackedUp ? '1' : '0'}, ${now}, ${''}) ON CONFLICT (id) DO NOTHING`;
    if ((await db.run(insert.text, insert.params)).changes !== 1) throw new CausewayError('CONFLICT', 'This passkey is already registered.');
    return { id: stored.id, name: label, created: now, lastUsed: null, backedUp: credentialBackedUp };
  }

  async list(executor: SqlExecutor, owner: SessionOwner): Promise<PasskeyInfo[]> {
    return (await this.rows(executor, owner)).map((row) => ({
      id: String(row.id),
      name: String(row.name),
      created: String(row.created),
      lastUsed: row.last_used ? String(row.last_used) : null,
      backedUp: row.backed_up === '1',
    }));
  }

  /** Whether the account has that passkey (another account's passkey is not found either). */
  async has(executor: SqlExecutor, owner: SessionOwner, id: string): Promise<boolean> {
    const found = this.s.q`SELECT 1 AS found FROM ${this.s.id(passkeysTable)} WHERE id = ${id} AND realm = ${owner.realm} AND subject = ${owner.subject}`;
    return (await executor.get(found.text, found.params)) !== undefined;
  }

  async remove(tx: SqlExecutor, owner: SessionOwner, id: string): Promise<void> {
    const drop = this.s.q`DELETE FROM ${this.s.id(passkeysTable)} WHERE id = ${id} AND realm = ${owner.realm} AND subject = ${owner.subject}`;
    await tx.run(drop.text, drop.params);
  }

  async removeAll(tx: SqlExecutor, owner: SessionOwner): Promise<void> {
    const drop = this.s.q`DELETE FROM ${this.s.id(passkeysTable)} WHERE realm = ${owner.realm} AND subject = ${owner.subject}`;
    await tx.run(drop.text, drop.params);
  }

  /**
   * Options for `navigator.credentials.get()` with no account named (discoverable credentials: the authenticator
   * offers the passkeys it holds for this relying party). Expired challenges nobody answered are cleared here, so
   * asking for options cannot grow the table beyond five minutes' worth.
   */
  async signInOptions(tx: SqlExecutor, realm: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    await this.oneTime.clearExpired(tx, 'passkey-sign-in');
    const challenge = await this.oneTime.issueUnbound(tx, 'passkey-sign-in', realm, challengeTtlSeconds);
    return generateAuthenticationOptions({ rpID: this.settings.rpId, challenge: Buffer.from(challenge, 'base64url'), userVerification: 'preferred', timeout: challengeTtlSeconds * 1000 });
  }

  /**
   * The account of `realm` a signed assertion belongs to. The challenge is spent (committed) before anything is
   * checked, accepted or not; then the counter moves on.
   */
  async verifySignIn(db: SqlDatabase, realm: string, credential: unknown): Promise<PasskeyAssertion> {
    const response = credentialOf<AuthenticationResponseJSON>(credential);
    const challenge = signedChallenge(response);
    const issued = challenge === '' ? undefined : await db.transaction((tx) => this.oneTime.consume(tx, 'passkey-sign-in', realm, challenge));
    if (issued === undefined) throw refused();
    const t = this.s.id(passkeysTable);
    const found = this.s.q`SELECT subject, public_key, counter, transports FROM ${t} WHERE id = ${response.id} AND realm = ${realm}`;
    const row = await db.get(found.text, found.params);
    if (!row) throw refused();
    const counter = Number(row.counter);
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...this.settings.origins],
      expectedRPID: this.settings.rpId,
      credential: { id: response.id, publicKey: new Uint8Array(Buffer.from(String(row.public_key), 'base64url')), counter, transports: JSON.parse(String(row.transports)) as string[] },
      requireUserVerification: false,
    }).catch(() => undefined);
    if (!verified?.verified) throw refused();
    // Compare-and-set on the counter, so two sign-ins racing with one assertion cannot both pass.
    const used = this.s.q`UPDATE ${t} SET counter = ${String(verified.authenticationInfo.newCounter)}, last_used = ${new Date().toISOString()} WHERE id = ${response.id} AND counter = ${String(counter)}`;
    if ((await db.run(used.text, used.params)).changes !== 1) throw refused();
    return { subject: String(row.subject), userVerified: verified.authenticationInfo.userVerified };
  }

  private async rows(executor: SqlExecutor, owner: SessionOwner) {
    const found = this.s.q`SELECT id, name, transports, backed_up, created, last_used FROM ${this.s.id(passkeysTable)} WHERE realm = ${owner.realm} AND subject = ${owner.subject} ORDER BY created`;
    return executor.all(found.text, found.params);
  }
}
