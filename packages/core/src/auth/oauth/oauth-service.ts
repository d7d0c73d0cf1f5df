import { randomBytes } from 'node:crypto';
import * as openid from 'openid-client';
import { CausewayError, type FieldIssue } from '../../errors/causeway-error.js';
import type { EventBus } from '../../events/event-bus.js';
import type { RecordsService } from '../../records/records-service.js';
import type { AccountHooks } from '../../hooks/account-hooks.js';
import type { Caller } from '../../rules/caller.js';
import { passwordHashField } from '../../schema/account-fields.js';
import type { SchemaRegistry } from '../../schema/schema-registry.js';
import type { SqlDatabase } from '../../sql/sql-database.js';
import { args, sqlTemplate, type SqlTemplate } from '../../sql/sql-template.js';
import type { AuthResult, AuthService } from '../auth-service.js';
import type { SessionOwner } from '../sessions.js';
import { assertNotLastSignInMethod } from '../sign-in-methods.js';
import { Identities, type Identity } from './identities.js';
import { OAuthProviders, providerView, type OAuthProvider } from './oauth-providers.js';
import { OAuthStates } from './oauth-states.js';
import { OpenIdExchange, type ProviderProfile } from './openid-exchange.js';
import { parseProviderInput, type OAuthProviderView } from './provider-settings.js';
import type { SecretBox } from './secret-box.js';

export interface OAuthServiceDeps {
  db: SqlDatabase;
  bus: EventBus;
  schema: SchemaRegistry;
  records: RecordsService;
  auth: AuthService;
  box: SecretBox;
  /** Extensions' hooks: an account a provider's sign-in creates is a sign-up too (`beforeSignUp`). */
  hooks?: AccountHooks;
  /** Told about work done after a request was answered that failed (dropping a deleted account's identities). */
  onError?: (error: unknown, what: string) => void;
}

/** What the sign-in screen of an app lists. */
export interface PublicProvider {
  name: string;
  displayName: string;
}

/** How long a user has at the provider between `start` and `finish`, and to type a second-factor code after. */
const flowTtlSeconds = 10 * 60;
const mfaTicketTtlSeconds = 5 * 60;

/**
 * Sign-in with OpenID Connect providers for auth collections (docs/auth.md, "Sign-in with a provider"): admins
 * configure providers per collection; `start` hands the app the provider's authorization URL, with a state kept
 * here that binds the PKCE verifier, nonce, provider and redirect URI; `finish` spends that state, exchanges the
 * code and signs in the account the identity is linked to, or links or creates one by verified email only.
 */
export class OAuthService {
  private readonly s: SqlTemplate;
  private readonly providers: OAuthProviders;
  private readonly states: OAuthStates;
  private readonly identities: Identities;
  private readonly exchange = new OpenIdExchange();

  constructor(private readonly deps: OAuthServiceDeps) {
    this.s = sqlTemplate(deps.db.dialect);
    this.providers = new OAuthProviders(this.s, deps.box);
    this.states = new OAuthStates(this.s);
    this.identities = new Identities(this.s);
    // A deleted account takes its identities with it, so a later account is never signed in by them.
    deps.bus.subscribe((events) => {
      for (const event of events) {
        if (event.op !== 'delete' || deps.schema.collection(event.collection)?.type !== 'auth') continue;
        const owner = { realm: event.collection, subject: event.recordId };
        void deps.db.transaction((tx) => this.identities.removeAll(tx, owner)).catch((error: unknown) => deps.onError?.(error, "removing a deleted account's identities"));
      }
    });
  }

  /** Every provider of an auth collection, as an admin sees it (no secrets). */
  async listProviders(realm: string): Promise<OAuthProviderView[]> {
    this.authCollection(realm);
    return (await this.providers.list(this.deps.db, realm)).map(providerView);
  }

  /** Creates or replaces a provider; a change may leave the client secret out to keep the stored one. */
  async putProvider(realm: string, name: string, input: unknown): Promise<OAuthProviderView> {
    this.authCollection(realm);
    const before = await this.providers.get(this.deps.db, realm, name);
    const { settings, clientSecret } = parseProviderInput(name, input, before?.hasClientSecret === true);
    await this.deps.db.transaction((tx) => this.providers.put(tx, realm, name, settings, clientSecret));
    return providerView((await this.providers.get(this.deps.db, realm, name))!);
  }

  async deleteProvider(realm: string, name: string): Promise<void> {
    this.authCollection(realm);
    if (!(await this.deps.db.transaction((tx) => this.providers.remove(tx, realm, name)))) throw providerNotFound(realm, name);
  }

  /** The enabled providers of an auth collection: what anyone may know, to draw sign-in buttons. */
  async publicProviders(realm: string): Promise<PublicProvider[]> {
    this.authCollection(realm);
    return (await this.providers.list(this.deps.db, realm)).filter((p) => p.enabled).map((p) => ({ name: p.name, displayName: p.displayName }));
  }

  /** Starts a sign-in: the URL to send the browser to. `redirectUri` must be one the admin allowed for this provider. */
  async start(realm: string, name: string, body: { redirectUri?: unknown }): Promise<{ url: string }> {
    const provider = await this.enabledProvider(realm, name);
    const redirectUri = body.redirectUri;
    if (typeof redirectUri !== 'string' || !provider.redirectUris.includes(redirectUri)) {
      throw new CausewayError('VALIDATION_FAILED', 'The redirect URI is not allowed for this provider.', {
        fields: { redirectUri: { code: 'not_allowed', message: 'must be one of the redirect URIs configured for this provider, exactly' } },
      });
    }
    const codeVerifier = openid.randomPKCECodeVerifier();
    const nonce = randomBytes(24).toString('base64url');
    const state = await this.deps.db.transaction((tx) => this.states.issue(tx, 'flow', realm, { provider: name, redirectUri, codeVerifier, nonce }, flowTtlSeconds));
    return { url: await this.exchange.authorizationUrl(provider, { redirectUri, state, nonce, codeVerifier }) };
  }

  /**
   * Finishes a sign-in with what the provider sent back to the app (`code`, `state`, and `iss` if it sent one).
   * An account with a second factor answers `MFA_REQUIRED` with a `ticket` for `finishWithCode`.
   */
  async finish(caller: Caller, realm: string, name: string, body: Record<string, unknown>): Promise<AuthResult> {
    const provider = await this.enabledProvider(realm, name);
    const { code, state, iss } = body;
    const issues: Record<string, FieldIssue> = {};
    if (typeof code !== 'string' || code === '' || code.length > 4000) issues.code = { code: 'required', message: 'is required: the code the provider sent back' };
    if (typeof state !== 'string' || state === '' || state.length > 200) issues.state = { code: 'required', message: 'is required: the state the provider sent back' };
    if (iss !== undefined && typeof iss !== 'string') issues.iss = { code: 'invalid', message: 'must be the iss the provider sent back, as text' };
    if (Object.keys(issues).length > 0) throw new CausewayError('VALIDATION_FAILED', 'The provider’s answer is incomplete.', { fields: issues });
    const flow = await this.deps.db.transaction((tx) => this.states.consume(tx, 'flow', realm, state as string));
    if (!flow || flow.provider !== name) throw new CausewayError('OAUTH_FAILED', 'The state is unknown, used, expired or belongs to another provider; start again.');
    const profile = await this.exchange.exchange(provider, { redirectUri: flow.redirectUri, code: code as string, state: state as string, iss: iss as string | undefined, nonce: flow.nonce, codeVerifier: flow.codeVerifier });
    const subject = await this.accountFor(caller, realm, name, profile);
    try {
      return await this.deps.auth.signInChecked(realm, subject);
    } catch (error) {
      if (!(error instanceof CausewayError) || error.code !== 'MFA_REQUIRED') throw error;
      const ticket = await this.deps.db.transaction((tx) => this.states.issue(tx, 'mfa', realm, { provider: name, subject }, mfaTicketTtlSeconds));
      throw new CausewayError('MFA_REQUIRED', 'Send the code from your authenticator app (or a recovery code) with this ticket to …/auth/oauth/mfa.', { extra: { ticket } });
    }
  }

  /** The account an MFA ticket is for (its email keys the guard's count of wrong codes). */
  async ticketAccount(realm: string, ticket: unknown): Promise<{ subject: string; email: string }> {
    this.authCollection(realm);
    const pending = typeof ticket === 'string' && ticket !== '' ? await this.states.peek(this.deps.db, 'mfa', realm, ticket) : undefined;
    const row = pending && (await this.deps.db.get(...args(this.s.q`SELECT email FROM ${this.s.id(realm)} WHERE id = ${pending.subject}`)));
    if (!pending || !row) throw new CausewayError('OAUTH_FAILED', 'The ticket is unknown, used or expired; sign in with the provider again.');
    return { subject: pending.subject, email: String(row.email) };
  }

  /** The second step of `finish` for an account with a second factor; the ticket works until a code is accepted. */
  async finishWithCode(realm: string, ticket: unknown, code: unknown): Promise<AuthResult> {
    const { subject } = await this.ticketAccount(realm, ticket);
    const result = await this.deps.auth.signInChecked(realm, subject, code);
    await this.deps.db.transaction((tx) => this.states.consume(tx, 'mfa', realm, ticket as string));
    return result;
  }

  /** The signed-in account's linked identities. */
  async identitiesOf(caller: Caller, realm: string): Promise<Identity[]> {
    return this.identities.list(this.deps.db, this.owner(caller, realm));
  }

  /** Unlinks an identity, unless it is the account's last way to sign in (no password, other identity or passkey). */
  async unlink(caller: Caller, realm: string, id: string): Promise<void> {
    const owner = this.owner(caller, realm);
    await this.deps.db.transaction(async (tx) => {
      const linked = await this.identities.list(tx, owner);
      if (!linked.some((identity) => identity.id === id)) throw new CausewayError('NOT_FOUND', `This account has no identity '${id}'.`);
      await assertNotLastSignInMethod(tx, this.s, owner);
      await this.identities.unlink(tx, owner, id);
    });
  }

  /**
   * The account an identity signs in: the one it is linked to; else, when the provider vouches for the email, the
   * account with that email (linked now) or a new one. An account that never proved its email loses its password
   * when linked: whoever set it did not show they own the address (pre-account-takeover).
   */
  private async accountFor(caller: Caller, realm: string, provider: string, profile: ProviderProfile): Promise<string> {
    const { db } = this.deps;
    const linked = await this.identities.accountOf(db, realm, provider, profile.subject);
    if (linked !== undefined) {
      if (await db.get(...args(this.s.q`SELECT id FROM ${this.s.id(realm)} WHERE id = ${linked}`))) return linked;
      await db.transaction((tx) => this.identities.forget(tx, realm, provider, profile.subject));
    }
    if (profile.email === undefined || !profile.emailVerified) {
      throw new CausewayError('EMAIL_NOT_VERIFIED', `The provider '${provider}' did not confirm this account's email is verified, so it is neither linked to an account nor used to create one.`);
    }
    const email = profile.email;
    const existing = await db.get(...args(this.s.q`SELECT id, verified FROM ${this.s.id(realm)} WHERE email = ${email}`));
    let subject: string;
    if (existing) {
      subject = String(existing.id);
      if (existing.verified !== true && existing.verified !== 1) {
        await this.deps.records.updateSystem(realm, subject, { verified: true, [passwordHashField]: null });
        await this.deps.auth.revokeSessions(realm, subject);
      }
    } else {
      // The address stays the one the provider verified, whatever a hook makes of `email`.
      const data: Record<string, unknown> = { email };
      await this.deps.hooks?.beforeSignUp({ collection: realm, data, caller });
      const { email: _fromHook, ...fields } = data;
      subject = (await this.deps.records.create(caller, realm, fields, { system: { email, verified: true } })).record.id;
    }
    await db.transaction((tx) => this.identities.link(tx, { realm, subject }, provider, profile.subject, email));
    return subject;
  }

  private async enabledProvider(realm: string, name: string): Promise<OAuthProvider> {
    this.authCollection(realm);
    const provider = await this.providers.get(this.deps.db, realm, name);
    if (!provider || !provider.enabled) throw providerNotFound(realm, name);
    if (provider.clientSecret === undefined) {
      throw new CausewayError('OAUTH_PROVIDER_UNAVAILABLE', `The client secret of '${name}' cannot be read with this deployment's key (was the data moved, or the token secret changed?); an admin must set it again.`);
    }
    return provider;
  }

  private owner(caller: Caller, realm: string): SessionOwner {
    this.authCollection(realm);
    if (caller.kind === 'user' && caller.collection === realm) return { realm, subject: caller.record.id };
    throw new CausewayError('UNAUTHENTICATED', `Sign in to '${realm}' first.`);
  }

  private authCollection(realm: string): void {
    const collection = this.deps.schema.collection(realm);
    if (!collection) throw new CausewayError('COLLECTION_NOT_FOUND', `There is no collection '${realm}'.`);
    if (collection.type !== 'auth') throw new CausewayError('BAD_REQUEST', `'${realm}' is not an auth collection.`);
  }
}

function providerNotFound(realm: string, name: string): CausewayError {
  return new CausewayError('NOT_FOUND', `'${realm}' has no enabled sign-in provider '${name}'.`);
}
