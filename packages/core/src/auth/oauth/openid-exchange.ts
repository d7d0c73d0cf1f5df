import * as openid from 'openid-client';
import { CausewayError } from '../../errors/causeway-error.js';
import type { OAuthProvider } from './oauth-providers.js';
import { isLoopbackHost } from './provider-settings.js';

/** What Causeway takes from a provider about the person who signed in there. */
export interface ProviderProfile {
  subject: string;
  email: string | undefined;
  /** Only `true` when the provider said so (`email_verified: true`); absent counts as not verified. */
  emailVerified: boolean;
}

const requestTimeoutSeconds = 10;

/**
 * The OpenID Connect side of a sign-in (`openid-client`): discovery, cached per provider until its settings change;
 * the authorization URL; the code exchange with PKCE, state, nonce and ID token checks; userinfo when the ID
 * token carries no email. Every request to the provider is bounded by a timeout.
 */
export class OpenIdExchange {
  private readonly configurations = new Map<string, { updated: string; configuration: Promise<openid.Configuration> }>();

  async authorizationUrl(provider: OAuthProvider, params: { redirectUri: string; state: string; nonce: string; codeVerifier: string }): Promise<string> {
    const configuration = await this.configuration(provider);
    const url = openid.buildAuthorizationUrl(configuration, {
      redirect_uri: params.redirectUri,
      scope: provider.scopes.join(' '),
      response_type: 'code',
      code_challenge: await openid.calculatePKCECodeChallenge(params.codeVerifier),
      code_challenge_method: 'S256',
      state: params.state,
      nonce: params.nonce,
    });
    return url.href;
  }

  /**
   * Exchanges the code the provider sent back to `redirectUri`. `issuer` is the `iss` the provider sent along, if
   * any; a state is bound to one provider already, so when the app leaves it out, this provider's is assumed.
   */
  async exchange(provider: OAuthProvider, params: { redirectUri: string; code: string; state: string; iss: string | undefined; nonce: string; codeVerifier: string }): Promise<ProviderProfile> {
    const configuration = await this.configuration(provider);
    const callback = new URL(params.redirectUri);
    callback.searchParams.set('code', params.code);
    callback.searchParams.set('state', params.state);
    if (configuration.serverMetadata().authorization_response_iss_parameter_supported) callback.searchParams.set('iss', params.iss ?? configuration.serverMetadata().issuer);
    let tokens: Awaited<ReturnType<typeof openid.authorizationCodeGrant>>;
    try {
      tokens = await openid.authorizationCodeGrant(configuration, callback, { pkceCodeVerifier: params.codeVerifier, expectedState: params.state, expectedNonce: params.nonce, idTokenExpected: true });
    } catch (error) {
      if (unreachable(error)) throw unavailable(provider, error);
      throw refused(provider, 'the provider did not accept the code (wrong, used or expired code, or a PKCE mismatch)', error);
    }
    const claims = tokens.claims();
    if (!claims) throw refused(provider, 'the provider sent no ID token');
    let email = claims.email;
    let verified = claims.email_verified;
    if (typeof email !== 'string') {
      try {
        const info = await openid.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        email = info.email;
        verified = info.email_verified;
      } catch (error) {
        throw unavailable(provider, error);
      }
    }
    return { subject: claims.sub, email: typeof email === 'string' ? email.trim().toLowerCase() : undefined, emailVerified: verified === true };
  }

  private configuration(provider: OAuthProvider): Promise<openid.Configuration> {
    const key = `${provider.realm}/${provider.name}`;
    const cached = this.configurations.get(key);
    if (cached?.updated === provider.updated) return cached.configuration;
    const insecure = new URL(provider.issuer).protocol === 'http:' && isLoopbackHost(new URL(provider.issuer).hostname);
    const configuration = openid
      .discovery(new URL(provider.issuer), provider.clientId, provider.clientSecret, undefined, { timeout: requestTimeoutSeconds, ...(insecure ? { execute: [openid.allowInsecureRequests] } : {}) })
      .catch((error: unknown) => {
        // A failed discovery is tried again on the next sign-in.
        this.configurations.delete(key);
        throw unavailable(provider, error);
      });
    this.configurations.set(key, { updated: provider.updated, configuration });
    return configuration;
  }
}

/** A request that got no answer (network, timeout), as opposed to an answer that did not check out. */
function unreachable(error: unknown): boolean {
  return (error instanceof TypeError && error.message === 'fetch failed') || (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'));
}

function refused(provider: OAuthProvider, why: string, cause?: unknown): CausewayError {
  return new CausewayError('OAUTH_FAILED', `Signing in with '${provider.name}' failed: ${why}. Start again.`, { cause });
}

function unavailable(provider: OAuthProvider, cause: unknown): CausewayError {
  return new CausewayError('OAUTH_PROVIDER_UNAVAILABLE', `The provider '${provider.name}' could not be reached or answered unexpectedly; try again later.`, { cause });
}
