import { randomUUID } from 'node:crypto';
import { CausewayError, type FieldIssue } from '../errors/causeway-error.js';
import type { CausewayRecord } from '../records/record.js';
import type { RecordsService } from '../records/records-service.js';
import { visibleRecord } from '../records/field-visibility.js';
import { systemCaller, type Caller } from '../rules/caller.js';
import { passwordHashField } from '../schema/account-fields.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import { args, sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';
import { validateValue } from '../values/validate-value.js';
import { nowIso } from '../values/dates.js';
import type { EventBus } from '../events/event-bus.js';
import { invalidToken, type AccessTokens, type IssuedAccessToken, type TokenKind, type VerifiedClaims } from './access-tokens.js';
import type { LiveSession, SessionEndReason, SignedCaller } from './live-session.js';
import type { Mailer } from './mailer.js';
import type { AccountHooks } from '../hooks/account-hooks.js';
import { accountLink, accountMail, type AccountMailKind, type AccountMailSettings } from './account-mail.js';
import { OneTimeTokens, type OneTimePurpose } from './one-time-tokens.js';
import { SecondFactors, type SecondFactorStatus, type TotpSetup } from './second-factors.js';
import type { PasskeyInfo } from '@causeway/wire';
import { assertNotLastSignInMethod } from './sign-in-methods.js';
import { Passkeys, type PasskeySettings, type PasskeyRegistrationOptions, type PasskeySignInOptions } from './passkeys.js';
import { PasswordHasher } from './password-hasher.js';
import { decoyHash, passwordIssue, type PasswordHashing } from './passwords.js';
import { SessionEnds } from './session-ends.js';
import { Sessions, type SessionOwner } from './sessions.js';

/** Admins live in their own table, apart from app users; their realm name is the table's. */
export const adminsRealm = '_admins';

export interface AuthServiceDeps {
  db: SqlDatabase;
  bus: EventBus;
  schema: SchemaRegistry;
  records: RecordsService;
  tokens: AccessTokens;
  mailer: Mailer;
  hashing: PasswordHashing;
  /** Read at each sign-in and refresh, so a change applies to the next session. */
  refreshTokenTtlSeconds: () => number;
  /** Base of links in mails: `${publicUrl}/auth/reset-password?collection=…&token=…`. */
  publicUrl: string;
  /** Per-realm link templates set by an admin (read at each mail); absent: Causeway's own pages. */
  accountMail?: () => AccountMailSettings;
  /** Told about mail that could not be sent (the request has been answered by then). */
  onMailError?: (error: unknown) => void;
  /** Told about work done after a request was answered that failed (revoking a deleted account's tokens). */
  onError?: (error: unknown, what: string) => void;
  /** The relying party passkeys are registered for, and the page origins that may use them. */
  passkeys: PasskeySettings;
  /** Whether every admin must have a second factor (a runtime setting, read at each admin sign-in and refresh). */
  requireAdminSecondFactor?: () => boolean;
  /** Extensions' hooks on sign-up, sign-in and account mail. */
  hooks?: AccountHooks;
}

/** What signing in, signing up and refreshing return. */
export interface AuthResult {
  token: string;
  expiresIn: number;
  refreshToken: string;
  record: CausewayRecord;
  /** Only when this sign-in turned a second factor on (an admin made to set one up): shown this once. */
  recoveryCodes?: string[];
}

/** How recent a sign-in must be to stand in for the password an account without one cannot give. */
const recentSignInMinutes = 10;

const oneTimeTtlSeconds = { 'password-reset': 30 * 60, verification: 7 * 24 * 3600 } satisfies Partial<Record<OneTimePurpose, number>>;

/**
 * Accounts of auth collections and admins: sign-up, sign-in, refresh rotation, sign-out, password changes,
 * reset and verification. Sign-in and reset answer alike whether or not the account exists.
 */
export class AuthService {
  private readonly s: SqlTemplate;
  private readonly sessions: Sessions;
  private readonly oneTime: OneTimeTokens;
  private readonly factors: SecondFactors;
  private readonly passkeys: Passkeys;
  private decoy: Promise<string> | undefined;
  private adminExists = false;

  private readonly ends: SessionEnds;
  private readonly hasher: PasswordHasher;

  constructor(private readonly deps: AuthServiceDeps) {
    this.s = sqlTemplate(deps.db.dialect);
    this.hasher = new PasswordHasher(deps.hashing);
    this.sessions = new Sessions(this.s, deps.refreshTokenTtlSeconds);
    this.oneTime = new OneTimeTokens(this.s);
    this.factors = new SecondFactors(this.s, new URL(deps.publicUrl).host || 'Causeway');
    this.passkeys = new Passkeys(this.s, this.oneTime, deps.passkeys);
    this.ends = new SessionEnds(deps.bus);
    // Every instance hears every change to accounts. A changed account must not keep acting with its old fields;
    // a deleted one ends its sessions everywhere and loses its refresh and one-time tokens.
    deps.bus.subscribe((events) => {
      for (const event of events) {
        if (deps.schema.collection(event.collection)?.type !== 'auth') continue;
        if (event.op !== 'delete') {
          this.ends.accountChanged(event.collection, event.record);
          continue;
        }
        this.ends.endHere({ realm: event.collection, subject: event.recordId }, 'account_deleted');
        void this.forgetDeletedAccount({ realm: event.collection, subject: event.recordId }).catch((error: unknown) => deps.onError?.(error, 'revoking the tokens of a deleted account'));
      }
    });
    // A deleted auth collection takes its accounts with it.
    deps.schema.onChange(() => this.ends.realmsChanged((realm) => realm === adminsRealm || deps.schema.collection(realm)?.type === 'auth'));
  }

  /**
   * Opens a live session from an access token, for a connection that lives longer than a request (graphql-ws,
   * realtime): the same checks as `authenticate`, and a signal that fires when the session ends, wherever that
   * happens. Release it when the connection closes or authenticates again.
   */
  async open(token: string): Promise<LiveSession> {
    const { claims, caller } = await this.check(token);
    return this.ends.watch(caller, claims.realm, claims.sessionId, claims.expiresAtMs, claims.kid);
  }

  /**
   * The caller of a token checked in the last seconds, if this instance remembers it (dropped at once when its
   * session ends): lets the per-request hook skip a promise on the hot path.
   */
  recentCaller(token: string): Caller | undefined {
    return this.ends.recentCaller(token);
  }

  /** The caller an access token stands for now: verified signature, live session, existing account. */
  async authenticate(token: string): Promise<Caller> {
    const cached = this.ends.recentCaller(token);
    if (cached) return cached;
    const { claims, caller } = await this.check(token);
    this.ends.callers.set(token, caller, claims.realm, claims.expiresAtMs);
    return caller;
  }

  /** The number of live sessions connections on this instance hold (for tests and metrics). */
  get liveSessions(): number {
    return this.ends.liveCount;
  }

  /**
   * The safety net under the cluster signals (a lost message, a dead sender): ends the live sessions held here
   * that the database says were revoked. Run every few seconds.
   */
  async checkLiveSessions(): Promise<void> {
    const ids = this.ends.liveSessionIds();
    for (let i = 0; i < ids.length; i += 500) {
      for (const sessionId of await this.sessions.ended(this.deps.db, ids.slice(i, i + 500))) this.ends.endHere({ sessionId }, 'revoked');
    }
  }

  /**
   * Call after the signing keys may have been re-read: if the keys that verify changed, sessions opened with a
   * token whose key no longer verifies end (`key_retired`) and cached callers are dropped.
   */
  signingKeysChecked(): void {
    this.ends.keysChecked(this.deps.tokens.verifyingKids());
  }

  /**
   * A file token for a signed-in caller: downloads protected files as that caller (the view rules still
   * apply) for `ttlSeconds`, and stops working when the session ends.
   */
  async fileToken(caller: Caller, ttlSeconds: number): Promise<IssuedAccessToken> {
    if (caller.kind !== 'user' && caller.kind !== 'admin') throw new CausewayError('UNAUTHENTICATED', 'Sign in to get a file token.');
    const realm = caller.kind === 'admin' ? adminsRealm : caller.collection;
    const subject = caller.kind === 'admin' ? caller.id : caller.record.id;
    return this.deps.tokens.sign({ realm, subject, sessionId: caller.sessionId }, 'file', ttlSeconds);
  }

  /** The caller a file token stands for now (live session, existing account); INVALID_TOKEN otherwise. */
  async authenticateFileToken(token: string): Promise<Caller> {
    return (await this.check(token, 'file')).caller;
  }

  private async check(token: string, kind: TokenKind = 'access'): Promise<{ claims: VerifiedClaims; caller: SignedCaller }> {
    const claims = await this.deps.tokens.verify(token, kind);
    const [live, account] = await Promise.all([this.sessions.isLive(this.deps.db, claims.sessionId), this.account(claims.realm, claims.subject)]);
    if (!live || !account) throw invalidToken('The session has ended; sign in again.');
    const caller: SignedCaller =
      claims.realm === adminsRealm
        ? { kind: 'admin', id: account.id, email: String(account.email), sessionId: claims.sessionId }
        : { kind: 'user', collection: claims.realm, record: account, sessionId: claims.sessionId };
    return { claims, caller };
  }

  /** A deleted account's refresh and one-time tokens stop working (every instance that hears runs this; it is idempotent). */
  private async forgetDeletedAccount(owner: SessionOwner): Promise<void> {
    await this.deps.db.transaction((tx) => this.forgetAccount(tx, owner));
  }

  /** Drops everything that could act as a deleted account: sessions, tokens, second factor, passkeys. */
  private async forgetAccount(tx: SqlExecutor, owner: SessionOwner): Promise<void> {
    await this.sessions.revokeAll(tx, owner);
    await this.oneTime.revokeAll(tx, owner);
    await this.factors.remove(tx, owner);
    await this.passkeys.removeAll(tx, owner);
  }

  async signUp(caller: Caller, collectionName: string, body: unknown): Promise<AuthResult> {
    this.authCollection(collectionName);
    const { password, ...sent } = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    await this.deps.hooks?.beforeSignUp({ collection: collectionName, data: sent, caller });
    const { email, ...fields } = sent;
    const issues: Record<string, FieldIssue> = {};
    const address = normalizeEmail(email, issues);
    const weak = passwordIssue(password, address);
    if (weak) issues.password = weak;
    if (Object.keys(issues).length > 0) throw new CausewayError('VALIDATION_FAILED', 'The sign-up is incomplete.', { fields: issues });
    const passwordHash = await this.hasher.hash(password as string);
    const created = await this.deps.records.create(caller, collectionName, fields, { system: { email: address, [passwordHashField]: passwordHash } });
    // What the sign-up caller may read of the record need not include the email (an anonymous caller is no owner yet).
    const account = (await this.account(collectionName, created.record.id)) ?? created.record;
    this.later(() => this.sendVerification(collectionName, account));
    return this.startSession(collectionName, account);
  }

  /**
   * Checks the password and, when the account has a second factor on, `code` (a TOTP code or a recovery code):
   * without one it answers `MFA_REQUIRED` (the password was right), with a wrong one `INVALID_CREDENTIALS`, the
   * answer for a wrong password, so the guard counts it as a failed credential check.
   */
  async signIn(realm: string, email: unknown, password: unknown, code?: unknown): Promise<AuthResult> {
    this.checkRealm(realm);
    const address = addressOf(email);
    const found = address === '' ? undefined : await this.credentials(realm, address);
    // An unknown account costs one hash too, so timing does not tell which emails exist; so does one without a
    // password (made by a sign-in with a provider), which no password opens.
    const matches = await this.hasher.verify(typeof password === 'string' ? password : '', found?.hash || (await this.decoyHash()));
    if (!found?.hash || !matches) throw new CausewayError('INVALID_CREDENTIALS', 'The email or password is wrong.');
    const account = await this.account(realm, found.id);
    if (!account) throw new CausewayError('INVALID_CREDENTIALS', 'The email or password is wrong.');
    return this.secondStep(realm, account, code);
  }

  /**
   * What every sign-in does once its first factor passed: the second factor when the account has one on
   * (`MFA_REQUIRED` without `code`, `INVALID_CREDENTIALS` with a wrong one), the set-up step for an admin without
   * one while admins must have one, then the session. `twoFactors`: the first factor was two already (a passkey
   * whose authenticator verified the person).
   */
  private async secondStep(realm: string, account: CausewayRecord, code: unknown, twoFactors = false): Promise<AuthResult> {
    if (!twoFactors) {
      const owner = { realm, subject: account.id };
      if (await this.factors.isEnabled(this.deps.db, owner)) await this.checkSecondFactor(owner, code);
      else if (realm === adminsRealm && this.deps.requireAdminSecondFactor?.()) return this.signInSettingUpFactor(account, code);
    }
    if (realm !== adminsRealm) await this.deps.hooks?.afterSignIn({ collection: realm, record: account });
    return this.startSession(realm, account);
  }

  /**
   * An admin without a second factor while admins must have one, whose password was right: without `code`, a new
   * pending secret and `MFA_SETUP_REQUIRED` (no session); with a code from the pending secret, the factor is turned
   * on and the admin signed in, with the recovery codes.
   */
  private async signInSettingUpFactor(account: CausewayRecord, code: unknown): Promise<AuthResult> {
    const owner = { realm: adminsRealm, subject: account.id };
    if (typeof code !== 'string' || code.trim() === '') {
      const setup = await this.deps.db.transaction((tx) => this.factors.setup(tx, owner, String(account.email)));
      throw new CausewayError('MFA_SETUP_REQUIRED', 'Admins must use a second factor: add this key to an authenticator app and sign in again with a code from it.', { extra: { ...setup } });
    }
    const codes = await this.deps.db.transaction((tx) => this.factors.enable(tx, owner, code.trim()));
    if (!codes) throw new CausewayError('INVALID_CREDENTIALS', 'The code is wrong or was already used.');
    return { ...(await this.startSession(adminsRealm, account)), recoveryCodes: codes };
  }

  /**
   * Signs in an account whose first factor another flow checked (OAuth): the same second-factor step as `signIn`
   * (`MFA_REQUIRED` without `code`, `INVALID_CREDENTIALS` with a wrong one) and the same session.
   */
  async signInChecked(realm: string, subject: string, code?: unknown): Promise<AuthResult> {
    this.checkRealm(realm);
    const account = await this.account(realm, subject);
    if (!account) throw new CausewayError('INVALID_CREDENTIALS', 'The account no longer exists.');
    return this.secondStep(realm, account, code);
  }

  async refresh(realm: string, refreshToken: unknown): Promise<AuthResult> {
    this.checkRealm(realm);
    if (typeof refreshToken !== 'string' || refreshToken === '') throw invalidToken('refreshToken is required.');
    const outcome = await this.deps.db.transaction((tx) => this.sessions.rotate(tx, refreshToken, realm));
    if (outcome.kind === 'reused') {
      this.ends.end({ sessionId: outcome.sessionId }, 'revoked');
      throw invalidToken('This refresh token was already used; the session has been revoked. Sign in again.');
    }
    if (outcome.kind === 'invalid') throw invalidToken('The refresh token is invalid or expired.');
    const account = await this.account(realm, outcome.owner.subject);
    if (!account) throw invalidToken('The account no longer exists.');
    // A session begun before admins had to use a second factor ends at its access token's expiry.
    if (realm === adminsRealm && this.deps.requireAdminSecondFactor?.() && !(await this.hasSecondFactor(outcome.owner))) {
      throw invalidToken('Admins must use a second factor now; sign in again to set one up.');
    }
    const access = await this.deps.tokens.sign({ realm, subject: account.id, sessionId: outcome.sessionId });
    return { token: access.token, expiresIn: access.expiresIn, refreshToken: outcome.refreshToken, record: this.ownView(realm, account) };
  }

  /** Ends the session the refresh token belongs to; an unknown token is not an error (signing out twice is fine). */
  async signOut(realm: string, refreshToken: unknown): Promise<void> {
    this.checkRealm(realm);
    if (typeof refreshToken !== 'string') throw new CausewayError('VALIDATION_FAILED', 'refreshToken is required.', { fields: { refreshToken: { code: 'required', message: 'is required' } } });
    const ended = await this.deps.db.transaction(async (tx) => {
      const session = await this.sessions.sessionOf(tx, refreshToken);
      if (!session || session.realm !== realm) return undefined;
      await this.sessions.revokeSession(tx, session.sessionId);
      return session.sessionId;
    });
    if (ended) this.ends.end({ sessionId: ended }, 'signed_out');
  }

  /** Ends every session of the signed-in account, this one included. */
  async signOutEverywhere(caller: Caller, realm: string): Promise<void> {
    const { record } = this.signedIn(caller, realm);
    await this.revokeSessions(realm, record.id, 'signed_out_everywhere');
  }

  /** An admin's decision: ends every session of an account of `realm` (404 when there is no such account). */
  async signOutAccount(realm: string, subject: string): Promise<void> {
    this.checkRealm(realm);
    if (!(await this.account(realm, subject))) throw new CausewayError('RECORD_NOT_FOUND', `There is no account '${subject}' in '${realm}'.`);
    await this.revokeSessions(realm, subject, 'revoked');
  }

  /** Ends every session of an account (an admin's decision, or the account's own). */
  async revokeSessions(realm: string, subject: string, reason: SessionEndReason = 'revoked'): Promise<void> {
    await this.deps.db.transaction((tx) => this.sessions.revokeAll(tx, { realm, subject }));
    this.ends.end({ realm, subject }, reason);
  }

  /** The signed-in account of `realm`. */
  async me(caller: Caller, realm: string): Promise<CausewayRecord> {
    const { record } = this.signedIn(caller, realm);
    if (caller.kind !== 'admin') return this.ownView(realm, record);
    // An admin caller carries only its id and email; the stored row has the rest (created, updated).
    const account = await this.account(adminsRealm, caller.id);
    if (!account) throw invalidToken('The session has ended; sign in again.');
    return account;
  }

  /** Checks the current password, sets the new one and ends every other session of the account. */
  async changePassword(caller: Caller, realm: string, body: unknown): Promise<void> {
    const { record, sessionId } = this.signedIn(caller, realm);
    const { currentPassword, newPassword } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    await this.checkCurrentPassword(realm, record, currentPassword);
    const weak = passwordIssue(newPassword, String(record.email));
    if (weak) throw new CausewayError('VALIDATION_FAILED', 'The new password is not acceptable.', { fields: { newPassword: weak } });
    await this.setPassword(realm, record.id, newPassword as string, sessionId);
  }

  /** Whether the signed-in account has a second factor on, and how many recovery codes it has left. */
  async secondFactor(caller: Caller, realm: string): Promise<SecondFactorStatus> {
    const { record } = this.signedIn(caller, realm);
    return this.factors.status(this.deps.db, { realm, subject: record.id });
  }

  /** Starts setting up TOTP: a new secret, pending until `enableSecondFactor` sees a code from it. */
  async setUpSecondFactor(caller: Caller, realm: string): Promise<TotpSetup> {
    const { record } = this.signedIn(caller, realm);
    const owner = { realm, subject: record.id };
    if (await this.factors.isEnabled(this.deps.db, owner)) throw secondFactorIssue('is already on; turn it off first');
    return this.deps.db.transaction((tx) => this.factors.setup(tx, owner, String(record.email)));
  }

  /** Turns the pending secret on with a code from it; answers the recovery codes, shown this once. */
  async enableSecondFactor(caller: Caller, realm: string, code: unknown): Promise<{ recoveryCodes: string[] }> {
    const { record } = this.signedIn(caller, realm);
    const codes = typeof code === 'string' ? await this.deps.db.transaction((tx) => this.factors.enable(tx, { realm, subject: record.id }, code.trim())) : undefined;
    if (!codes) throw new CausewayError('VALIDATION_FAILED', 'The code does not match; set up again if it keeps failing.', { fields: { code: { code: 'invalid', message: 'does not match the pending secret' } } });
    return { recoveryCodes: codes };
  }

  /**
   * Replaces the recovery codes (the earlier ones stop working) when `code` is a current TOTP code or an unused
   * recovery code: a stolen access token alone is not enough. Answers the new codes, shown this once.
   */
  async regenerateRecoveryCodes(caller: Caller, realm: string, code: unknown): Promise<{ recoveryCodes: string[] }> {
    const { record } = this.signedIn(caller, realm);
    const owner = { realm, subject: record.id };
    if (!(await this.factors.isEnabled(this.deps.db, owner))) throw secondFactorIssue('is not on');
    const codes = await this.deps.db.transaction(async (tx) => (typeof code === 'string' && (await this.factors.check(tx, owner, code)) ? this.factors.regenerateRecovery(tx, owner) : undefined));
    if (!codes) throw new CausewayError('VALIDATION_FAILED', 'The code is wrong or was already used.', { fields: { code: { code: 'wrong_code', message: 'is not a current code from your authenticator app or an unused recovery code' } } });
    return { recoveryCodes: codes };
  }

  /** Turns the second factor off; the current password proves it is the owner, not a stolen access token. */
  async disableSecondFactor(caller: Caller, realm: string, password: unknown): Promise<void> {
    const { record } = this.signedIn(caller, realm);
    await this.checkCurrentPassword(realm, record, password);
    await this.deps.db.transaction((tx) => this.factors.remove(tx, { realm, subject: record.id }));
  }

  /**
   * Options to register a passkey on the signed-in account. The current password is asked for as for turning the
   * second factor off: a stolen access token must not be able to add a lasting way in. An account without a
   * password (made by a sign-in with a provider) must have signed in within the last ten minutes instead.
   */
  async passkeyRegistrationOptions(caller: Caller, realm: string, password: unknown): Promise<PasskeyRegistrationOptions> {
    const { record, sessionId } = this.signedIn(caller, realm);
    const hash = (await this.credentials(realm, String(record.email)))?.hash;
    if (hash) await this.checkPassword(hash, password);
    else if (!(await this.recentlySignedIn(sessionId))) {
      throw new CausewayError('FORBIDDEN', `This account has no password: sign in again and add the passkey within ${recentSignInMinutes} minutes.`);
    }
    return this.deps.db.transaction((tx) => this.passkeys.registrationOptions(tx, { realm, subject: record.id }, String(record.email)));
  }

  async registerPasskey(caller: Caller, realm: string, body: unknown): Promise<PasskeyInfo> {
    const { record } = this.signedIn(caller, realm);
    const { credential, name } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    return this.passkeys.register(this.deps.db, { realm, subject: record.id }, credential, name);
  }

  async listPasskeys(caller: Caller, realm: string): Promise<PasskeyInfo[]> {
    const { record } = this.signedIn(caller, realm);
    return this.passkeys.list(this.deps.db, { realm, subject: record.id });
  }

  /** Removes one of the account's passkeys, unless it is the account's last way to sign in. */
  async removePasskey(caller: Caller, realm: string, id: string): Promise<void> {
    const { record } = this.signedIn(caller, realm);
    const owner = { realm, subject: record.id };
    await this.deps.db.transaction(async (tx) => {
      if (!(await this.passkeys.has(tx, owner, id))) throw new CausewayError('NOT_FOUND', 'This account has no such passkey.');
      await assertNotLastSignInMethod(tx, this.s, owner);
      await this.passkeys.remove(tx, owner, id);
    });
  }

  /** Options for a sign-in with a discoverable passkey: no email is asked for. */
  async passkeySignInOptions(realm: string): Promise<PasskeySignInOptions> {
    this.checkRealm(realm);
    return this.deps.db.transaction((tx) => this.passkeys.signInOptions(tx, realm));
  }

  /**
   * Signs in with a passkey assertion. An authenticator that verified its user (PIN, biometrics) is two factors
   * already; without user verification, an account with TOTP on must also send `code`, as with a password.
   */
  async signInWithPasskey(realm: string, body: unknown): Promise<AuthResult> {
    this.checkRealm(realm);
    const { credential, code } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const { subject, userVerified } = await this.passkeys.verifySignIn(this.deps.db, realm, credential);
    const account = await this.account(realm, subject);
    if (!account) throw new CausewayError('INVALID_CREDENTIALS', 'The passkey was not accepted.');
    return this.secondStep(realm, account, code, userVerified);
  }

  /** Mails a reset link if the account exists; answers the same, at once, either way. */
  requestPasswordReset(realm: string, email: unknown): void {
    this.checkRealm(realm);
    const address = addressOf(email);
    this.later(async () => {
      const found = address === '' ? undefined : await this.credentials(realm, address);
      if (!found) return;
      const token = await this.deps.db.transaction((tx) => this.oneTime.issue(tx, 'password-reset', { realm, subject: found.id }, oneTimeTtlSeconds['password-reset']));
      await this.sendAccountMail('password-reset', realm, address, token);
    });
  }

  /**
   * Sets a new password from a mailed token and ends every session of the account (the old password may be
   * known). Resolves the account's email.
   */
  async confirmPasswordReset(realm: string, body: unknown): Promise<string> {
    this.checkRealm(realm);
    const { token, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const weak = passwordIssue(password);
    if (weak) throw new CausewayError('VALIDATION_FAILED', 'The new password is not acceptable.', { fields: { password: weak } });
    const subject = typeof token === 'string' ? await this.deps.db.transaction((tx) => this.oneTime.consume(tx, 'password-reset', realm, token)) : undefined;
    if (!subject) throw invalidToken('The reset token is invalid, used or expired; ask for a new one.');
    const account = await this.account(realm, subject);
    if (!account) throw invalidToken('The reset token is invalid, used or expired; ask for a new one.');
    await this.setPassword(realm, subject, password as string);
    // Following the mailed link proves the address too.
    if (realm !== adminsRealm) await this.deps.records.updateSystem(realm, subject, { verified: true });
    return String(account.email);
  }

  requestVerification(collectionName: string, email: unknown): void {
    this.authCollection(collectionName);
    const address = addressOf(email);
    this.later(async () => {
      const found = address === '' ? undefined : await this.credentials(collectionName, address);
      const account = found && (await this.account(collectionName, found.id));
      if (account) await this.sendVerification(collectionName, account);
    });
  }

  async confirmVerification(collectionName: string, token: unknown): Promise<CausewayRecord> {
    this.authCollection(collectionName);
    const subject = typeof token === 'string' ? await this.deps.db.transaction((tx) => this.oneTime.consume(tx, 'verification', collectionName, token)) : undefined;
    if (!subject) throw invalidToken('The verification token is invalid, used or expired; ask for a new one.');
    return this.ownView(collectionName, (await this.deps.records.updateSystem(collectionName, subject, { verified: true })).record);
  }

  /** Whether any admin exists; remembered once true, since the last admin cannot be deleted over the API. */
  async hasAdmin(): Promise<boolean> {
    if (this.adminExists) return true;
    const row = await this.deps.db.get(...args(this.s.q`SELECT 1 AS found FROM ${this.s.id(adminsRealm)} LIMIT 1`));
    this.adminExists = row !== undefined;
    return this.adminExists;
  }

  /** Creates an admin (CLI, first-run screen). */
  async createAdmin(email: unknown, password: unknown): Promise<CausewayRecord> {
    const issues: Record<string, FieldIssue> = {};
    const address = normalizeEmail(email, issues);
    const weak = passwordIssue(password, address);
    if (weak) issues.password = weak;
    if (Object.keys(issues).length > 0) throw new CausewayError('VALIDATION_FAILED', 'The admin account is incomplete.', { fields: issues });
    if (await this.credentials(adminsRealm, address)) {
      throw new CausewayError('UNIQUE_VIOLATION', `An admin with email '${address}' already exists.`, { fields: { email: { code: 'unique', message: 'is already an admin' } } });
    }
    const hash = await this.hasher.hash(password as string);
    const id = randomUUID();
    const now = nowIso();
    await this.deps.db.transaction((tx) =>
      tx.run(...args(this.s.q`INSERT INTO ${this.s.id(adminsRealm)} (id, email, ${this.s.id(passwordHashField)}, created, updated) VALUES (${id}, ${address}, ${hash}, ${now}, ${now})`)),
    );
    this.adminExists = true;
    return { id, email: address, created: now, updated: now };
  }

  /** Every admin, oldest first. */
  async listAdmins(): Promise<CausewayRecord[]> {
    const rows = await this.deps.db.all(...args(this.s.q`SELECT id, email, created, updated FROM ${this.s.id(adminsRealm)} ORDER BY created, id`));
    return rows.map((row) => ({ id: String(row.id), email: row.email, created: String(row.created), updated: String(row.updated) }));
  }

  /** Deletes an admin and ends its sessions; the last admin cannot be deleted (409 LAST_ADMIN). */
  async deleteAdmin(id: string): Promise<void> {
    const deleted = await this.deps.db.transaction(async (tx) => {
      const count = Number((await tx.get(...args(this.s.q`SELECT COUNT(*) AS n FROM ${this.s.id(adminsRealm)}`)))?.n ?? 0);
      const found = await tx.get(...args(this.s.q`SELECT id FROM ${this.s.id(adminsRealm)} WHERE id = ${id}`));
      if (!found) return false;
      if (count <= 1) throw new CausewayError('LAST_ADMIN', 'This is the last admin; create another before deleting it.');
      await tx.run(...args(this.s.q`DELETE FROM ${this.s.id(adminsRealm)} WHERE id = ${id}`));
      await this.forgetAccount(tx, { realm: adminsRealm, subject: id });
      return true;
    });
    if (!deleted) throw new CausewayError('RECORD_NOT_FOUND', `There is no admin '${id}'.`);
    this.ends.end({ realm: adminsRealm, subject: id }, 'account_deleted');
  }

  /** Sets another admin's password (an admin's decision) and ends every session of that admin. */
  async resetAdminPassword(id: string, password: unknown): Promise<void> {
    const account = await this.account(adminsRealm, id);
    if (!account) throw new CausewayError('RECORD_NOT_FOUND', `There is no admin '${id}'.`);
    const weak = passwordIssue(password, String(account.email));
    if (weak) throw new CausewayError('VALIDATION_FAILED', 'The new password is not acceptable.', { fields: { password: weak } });
    await this.setPassword(adminsRealm, id, password as string);
  }

  /** Passes when `code` is a good code of the account's second factor (spent now). */
  private async checkSecondFactor(owner: SessionOwner, code: unknown): Promise<void> {
    if (typeof code !== 'string' || code.trim() === '') throw new CausewayError('MFA_REQUIRED', 'Send the code from your authenticator app (or a recovery code) as `code`.');
    if (!(await this.deps.db.transaction((tx) => this.factors.check(tx, owner, code)))) throw new CausewayError('INVALID_CREDENTIALS', 'The code is wrong or was already used.');
  }

  /**
   * Whether an admin meets "admins must use a second factor": TOTP on, or a passkey (a sign-in without TOTP under
   * that rule can only have been a passkey whose authenticator verified the person).
   */
  private async hasSecondFactor(owner: SessionOwner): Promise<boolean> {
    return (await this.factors.isEnabled(this.deps.db, owner)) || (await this.passkeys.list(this.deps.db, owner)).length > 0;
  }

  private async recentlySignedIn(sessionId: string): Promise<boolean> {
    const started = await this.sessions.startedAt(this.deps.db, sessionId);
    return started !== undefined && Date.parse(started) > Date.now() - recentSignInMinutes * 60_000;
  }

  private async checkCurrentPassword(realm: string, record: CausewayRecord, password: unknown): Promise<void> {
    await this.checkPassword((await this.credentials(realm, String(record.email)))?.hash, password);
  }

  /** Passes when `password` opens `hash` (the account's stored password hash; none: nothing opens it). */
  private async checkPassword(hash: string | undefined, password: unknown): Promise<void> {
    if (hash === undefined || !(await this.hasher.verify(typeof password === 'string' ? password : '', hash))) {
      throw new CausewayError('VALIDATION_FAILED', 'The current password is wrong.', { fields: { currentPassword: { code: 'wrong_password', message: 'is wrong' } } });
    }
  }

  private async startSession(realm: string, record: CausewayRecord): Promise<AuthResult> {
    const { sessionId, refreshToken } = await this.deps.db.transaction((tx) => this.sessions.start(tx, { realm, subject: record.id }));
    const access = await this.deps.tokens.sign({ realm, subject: record.id, sessionId });
    return { token: access.token, expiresIn: access.expiresIn, refreshToken, record: this.ownView(realm, record) };
  }

  /** An account as it may read itself: its own owner-only fields, not admins-only ones (the caller's record has all). */
  private ownView(realm: string, record: CausewayRecord): CausewayRecord {
    const collection = this.deps.schema.collection(realm);
    if (realm === adminsRealm || !collection) return record;
    return visibleRecord(collection, record, { kind: 'user', collection: realm, record, sessionId: '' });
  }

  private async setPassword(realm: string, id: string, password: string, keepSession?: string): Promise<void> {
    const hash = await this.hasher.hash(password);
    if (realm === adminsRealm) {
      await this.deps.db.transaction((tx) => this.updateAdminHash(tx, id, hash));
    } else {
      await this.deps.records.updateSystem(realm, id, { [passwordHashField]: hash });
    }
    await this.deps.db.transaction((tx) => this.sessions.revokeAll(tx, { realm, subject: id }, keepSession));
    this.ends.end({ realm, subject: id, ...(keepSession ? { keep: keepSession } : {}) }, 'password_changed');
  }

  private async updateAdminHash(tx: SqlExecutor, id: string, hash: string): Promise<void> {
    await tx.run(...args(this.s.q`UPDATE ${this.s.id(adminsRealm)} SET ${this.s.id(passwordHashField)} = ${hash}, updated = ${nowIso()} WHERE id = ${id}`));
  }

  private async sendVerification(collectionName: string, account: CausewayRecord): Promise<void> {
    if (account.verified === true) return;
    const token = await this.deps.db.transaction((tx) => this.oneTime.issue(tx, 'verification', { realm: collectionName, subject: account.id }, oneTimeTtlSeconds.verification));
    await this.sendAccountMail('verification', collectionName, String(account.email), token);
  }

  private async sendAccountMail(kind: AccountMailKind, realm: string, to: string, token: string): Promise<void> {
    const options = this.deps.accountMail?.()[realm];
    const link = accountLink(kind, realm, token, this.deps.publicUrl, options);
    const message = accountMail(kind, { link, token, email: to, collection: realm, appUrl: this.deps.publicUrl }, options);
    await this.deps.hooks?.beforeMail({ kind, collection: realm, message });
    await this.deps.mailer.send(message);
  }

  /**
   * Sends `kind`'s mail of `realm` to `to` as it would go out now (template, link), with a token that opens
   * nothing: how an admin checks a template and the mail setup. Failures are the caller's to report.
   */
  async sendTestMail(realm: string, kind: AccountMailKind, to: unknown): Promise<void> {
    this.checkRealm(realm);
    const issues: Record<string, FieldIssue> = {};
    const address = normalizeEmail(to, issues);
    if (Object.keys(issues).length > 0) throw new CausewayError('VALIDATION_FAILED', 'The test mail needs an address.', { fields: { to: issues.email ?? Object.values(issues)[0]! } });
    await this.sendAccountMail(kind, realm, address, 'test-token-not-valid');
  }

  /** Work the client must not wait for (mail), so the answer's timing reveals nothing. */
  private later(work: () => Promise<void>): void {
    void work().catch((error: unknown) => this.deps.onMailError?.(error));
  }

  private async credentials(realm: string, email: string): Promise<{ id: string; hash: string } | undefined> {
    const row = await this.deps.db.get(...args(this.s.q`SELECT id, ${this.s.id(passwordHashField)} AS hash FROM ${this.s.id(realm)} WHERE email = ${email}`));
    return row ? { id: String(row.id), hash: String(row.hash ?? '') } : undefined;
  }

  private async account(realm: string, id: string): Promise<CausewayRecord | undefined> {
    if (realm === adminsRealm) {
      const row = await this.deps.db.get(...args(this.s.q`SELECT id, email, created, updated FROM ${this.s.id(adminsRealm)} WHERE id = ${id}`));
      return row ? { id: String(row.id), email: row.email, created: String(row.created), updated: String(row.updated) } : undefined;
    }
    const collection = this.deps.schema.collection(realm);
    if (collection?.type !== 'auth') return undefined;
    try {
      return (await this.deps.records.get(systemCaller, realm, id)).record;
    } catch (error) {
      if (error instanceof CausewayError && error.code === 'RECORD_NOT_FOUND') return undefined;
      throw error;
    }
  }

  private signedIn(caller: Caller, realm: string): { record: CausewayRecord; sessionId: string } {
    if (caller.kind === 'user' && caller.collection === realm) return { record: caller.record, sessionId: caller.sessionId };
    if (caller.kind === 'admin' && realm === adminsRealm) return { record: { id: caller.id, email: caller.email, created: '', updated: '' }, sessionId: caller.sessionId };
    throw new CausewayError('UNAUTHENTICATED', realm === adminsRealm ? 'Sign in as an admin first.' : `Sign in to '${realm}' first.`);
  }

  private checkRealm(realm: string): void {
    if (realm !== adminsRealm) this.authCollection(realm);
  }

  private authCollection(name: string): Collection {
    const collection = this.deps.schema.collection(name);
    if (!collection) throw new CausewayError('COLLECTION_NOT_FOUND', `There is no collection '${name}'.`);
    if (collection.type !== 'auth') throw new CausewayError('BAD_REQUEST', `'${name}' is not an auth collection; accounts live in collections of type 'auth'.`);
    return collection;
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= decoyHash(this.deps.hashing);
    return this.decoy;
  }
}

/** An email as accounts store it: trimmed and lower-case ('' for anything that is not a string). */
function addressOf(email: unknown): string {
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
}

function normalizeEmail(email: unknown, issues: Record<string, FieldIssue>): string {
  const address = addressOf(email);
  if (address === '') {
    issues.email = { code: 'required', message: 'is required' };
    return address;
  }
  const check = validateValue({ id: '', name: 'email', type: 'email', required: true, unique: true }, address);
  if (!check.ok) issues.email = check.issue;
  return address;
}

function secondFactorIssue(message: string): CausewayError {
  return new CausewayError('VALIDATION_FAILED', `The second factor ${message}.`, { fields: { mfa: { code: 'state', message } } });
}
