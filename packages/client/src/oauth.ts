import type { AuthResult } from './auth.js';
import { BadRequestError } from './errors.js';
import { authPath, type Transport } from './transport.js';
import type { BaseRecord } from './types.js';

/** A provider an app can offer on its sign-in screen. */
export interface OAuthProviderInfo {
  name: string;
  displayName: string;
}

/** An identity at a provider linked to the signed-in account. */
export interface LinkedIdentity {
  id: string;
  provider: string;
  email: string;
  created: string;
}

export interface SignInWithOAuthOptions {
  /** Where the provider sends the browser back: one of the redirect URIs the admin allowed for this provider. */
  redirectUri: string;
  /** Send the browser there now (`location.assign`); default true when there is a `location`. */
  redirect?: boolean;
}

export interface FinishOAuthOptions {
  /** The provider, when this page did not start the flow itself (no record of it in `sessionStorage`). */
  provider?: string;
}

/** Which provider a state belongs to, kept for the page the provider sends the browser back to. */
const pendingKey = (state: string) => `causeway.oauth.${state}`;

function sessionStorageOrUndefined(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

/** Sign-in with an OpenID Connect provider for one auth collection (docs/auth.md). */
export class OAuthApi<R = BaseRecord & Record<string, unknown>> {
  constructor(
    private readonly transport: Transport,
    private readonly realm: string,
    private readonly keep: (result: AuthResult<R>) => AuthResult<R>,
  ) {}

  /** The providers the admin enabled for this collection. */
  providers(): Promise<OAuthProviderInfo[]> {
    return this.transport.request<OAuthProviderInfo[]>('GET', authPath(this.realm, 'oauth/providers'), { auth: false });
  }

  /**
   * Asks the server for the provider's sign-in URL and (in a browser) goes there. The provider sends the browser back
   * to `redirectUri`, where `finishOAuth(location.href)` completes the sign-in. Resolves the URL either way.
   */
  async start(provider: string, options: SignInWithOAuthOptions): Promise<{ url: string }> {
    const { url } = await this.transport.request<{ url: string }>('POST', authPath(this.realm, `oauth/${encodeURIComponent(provider)}/start`), { body: { redirectUri: options.redirectUri }, auth: false });
    const state = new URL(url).searchParams.get('state');
    if (state) sessionStorageOrUndefined()?.setItem(pendingKey(state), provider);
    if (options.redirect ?? typeof location !== 'undefined') location.assign(url);
    return { url };
  }

  /**
   * Completes a sign-in from the URL the provider sent the browser back to (its `code`, `state` and `iss`). When the
   * account has a second factor the server answers `MFA_REQUIRED` (an `UnauthorizedError` whose `problem.ticket`
   * is set): ask for the code and call `finishWithCode(ticket, code)`. A refusal at the provider (`?error=…`)
   * throws a `BadRequestError` with code `OAUTH_FAILED`.
   */
  async finish(callbackUrl: string | URL, options: FinishOAuthOptions = {}): Promise<AuthResult<R>> {
    const params = new URL(callbackUrl).searchParams;
    const state = params.get('state') ?? '';
    const storage = sessionStorageOrUndefined();
    const provider = options.provider ?? storage?.getItem(pendingKey(state)) ?? undefined;
    storage?.removeItem(pendingKey(state));
    const refused = params.get('error');
    if (refused !== null || provider === undefined) {
      const detail = refused !== null ? `The provider refused: ${params.get('error_description') ?? refused}.` : 'This page did not start the sign-in; pass { provider }.';
      throw new BadRequestError({ type: 'about:blank', title: 'Sign-in with the provider failed', status: 400, code: 'OAUTH_FAILED', detail });
    }
    const iss = params.get('iss');
    const body = { code: params.get('code') ?? '', state, ...(iss === null ? {} : { iss }) };
    return this.keep(await this.transport.request<AuthResult<R>>('POST', authPath(this.realm, `oauth/${encodeURIComponent(provider)}/finish`), { body, auth: false }));
  }

  /** The second step for an account with a second factor: the `ticket` from `MFA_REQUIRED` and a TOTP or recovery code. */
  async finishWithCode(ticket: string, code: string): Promise<AuthResult<R>> {
    return this.keep(await this.transport.request<AuthResult<R>>('POST', authPath(this.realm, 'oauth/mfa'), { body: { ticket, code }, auth: false }));
  }

  /** The signed-in account's linked identities. */
  identities(): Promise<LinkedIdentity[]> {
    return this.transport.request<LinkedIdentity[]>('GET', authPath(this.realm, 'oauth/identities'));
  }

  /** Unlinks one; a `ConflictError` (`LAST_SIGN_IN_METHOD`) when it is the only way an account without a password signs in. */
  async unlink(identityId: string): Promise<void> {
    await this.transport.request('DELETE', authPath(this.realm, `oauth/identities/${encodeURIComponent(identityId)}`));
  }
}
