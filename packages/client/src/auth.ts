import type { PasskeyInfo } from '@causeway/wire';
import type { BaseRecord } from './types.js';
import { MfaApi } from './mfa.js';
import { OAuthApi, type FinishOAuthOptions, type SignInWithOAuthOptions } from './oauth.js';
import { authPath, type Transport } from './transport.js';

export interface AuthResult<R = BaseRecord & Record<string, unknown>> {
  token: string;
  expiresIn: number;
  refreshToken: string;
  record: R;
  /** Only when this sign-in turned a second factor on (an admin made to set one up): shown this once. */
  recoveryCodes?: string[];
}

/** Sign-up, sign-in and the rest for one realm: an auth collection (`users` by default) or the admins. */
export class AuthApi<R = BaseRecord & Record<string, unknown>> {
  constructor(
    private readonly transport: Transport,
    readonly realm: string,
  ) {}

  /** The account's API for another auth collection: `client.auth.collection('staff')`. */
  collection<R2 = BaseRecord & Record<string, unknown>>(name: string): AuthApi<R2> {
    return new AuthApi<R2>(this.transport, name);
  }

  get isSignedIn(): boolean {
    return this.transport.session?.realm === this.realm;
  }

  async signUp(data: { email: string; password: string } & Record<string, unknown>): Promise<AuthResult<R>> {
    return this.keep(await this.transport.request<AuthResult<R>>('POST', authPath(this.realm, 'sign-up'), { body: data, auth: false }));
  }

  /**
   * Signs in. An account with a second factor on answers `MFA_REQUIRED` without `code`: ask the person for the
   * code from their authenticator app (or a recovery code) and call again with it.
   */
  async signIn(email: string, password: string, code?: string): Promise<AuthResult<R>> {
    const body = code === undefined ? { email, password } : { email, password, code };
    return this.keep(await this.transport.request<AuthResult<R>>('POST', authPath(this.realm, 'sign-in'), { body, auth: false }));
  }

  /** The signed-in account's second factor: `status()`, `setUp()`, `enable(code)`, `regenerateRecoveryCodes(code)`, `disable(password)`. */
  get mfa(): MfaApi {
    return new MfaApi(this.transport, this.realm);
  }

  /** Sign-in with a provider: its list, the second-factor step, linked identities (`oauth.identities()`, `oauth.unlink(id)`). */
  get oauth(): OAuthApi<R> {
    return new OAuthApi<R>(this.transport, this.realm, (result) => this.keep(result));
  }

  /**
   * Starts signing in with a provider the admin configured (`google`, or any name they chose): in a browser, goes to
   * the provider, which sends the browser back to `redirectUri`; call `finishOAuth(location.href)` there.
   */
  signInWithOAuth(provider: string, options: SignInWithOAuthOptions): Promise<{ url: string }> {
    return this.oauth.start(provider, options);
  }

  /** Completes a sign-in with a provider from the URL it sent the browser back to; see `oauth.finish`. */
  finishOAuth(callbackUrl: string | URL, options?: FinishOAuthOptions): Promise<AuthResult<R>> {
    return this.oauth.finish(callbackUrl, options);
  }

  /** Ends the session on the server and forgets it here. */
  async signOut(): Promise<void> {
    const session = this.transport.session;
    this.transport.setSession(null);
    if (session) await this.transport.request('POST', authPath(session.realm, 'sign-out'), { body: { refreshToken: session.refreshToken }, auth: false });
  }

  refresh(): Promise<unknown> {
    return this.transport.refresh();
  }

  me(): Promise<R> {
    return this.transport.request<R>('GET', authPath(this.realm, 'me'));
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.transport.request('POST', authPath(this.realm, 'change-password'), { body: { currentPassword, newPassword } });
  }

  async requestPasswordReset(email: string): Promise<void> {
    await this.transport.request('POST', authPath(this.realm, 'request-password-reset'), { body: { email }, auth: false });
  }

  async confirmPasswordReset(token: string, password: string): Promise<void> {
    await this.transport.request('POST', authPath(this.realm, 'confirm-password-reset'), { body: { token, password }, auth: false });
  }

  async requestVerification(email: string): Promise<void> {
    await this.transport.request('POST', authPath(this.realm, 'request-verification'), { body: { email }, auth: false });
  }

  confirmVerification(token: string): Promise<R> {
    return this.transport.request<R>('POST', authPath(this.realm, 'confirm-verification'), { body: { token }, auth: false });
  }

  /**
   * Registers a passkey on the signed-in account: asks the browser's authenticator to create one for this site.
   * The current password confirms it is the owner and not a stolen access token. Browser only.
   */
  async registerPasskey(options: { password: string; name?: string }): Promise<PasskeyInfo> {
    const creation = await this.transport.request<PublicKeyCredentialCreationOptionsJSON>('POST', authPath(this.realm, 'passkeys/register/options'), { body: { password: options.password } });
    const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(creation) });
    return this.transport.request<PasskeyInfo>('POST', authPath(this.realm, 'passkeys'), { body: { credential: (credential as PublicKeyCredential).toJSON(), name: options.name } });
  }

  /**
   * Signs in with a passkey the browser's authenticator holds for this site (it lets the person pick one; no email
   * is asked for). An account with a second factor on answers `MFA_REQUIRED` when the authenticator did not verify
   * the person: call again with `code` (the passkey is asked for again). Browser only.
   */
  async signInWithPasskey(options: { code?: string } = {}): Promise<AuthResult<R>> {
    const request = await this.transport.request<PublicKeyCredentialRequestOptionsJSON>('POST', authPath(this.realm, 'passkeys/sign-in/options'), { body: {}, auth: false });
    const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(request) });
    const body = { credential: (credential as PublicKeyCredential).toJSON(), code: options.code };
    return this.keep(await this.transport.request<AuthResult<R>>('POST', authPath(this.realm, 'passkeys/sign-in'), { body, auth: false }));
  }

  async passkeys(): Promise<PasskeyInfo[]> {
    return (await this.transport.request<{ items: PasskeyInfo[] }>('GET', authPath(this.realm, 'passkeys'))).items;
  }

  async removePasskey(id: string): Promise<void> {
    await this.transport.request('DELETE', authPath(this.realm, `passkeys/${encodeURIComponent(id)}`));
  }

  private keep(result: AuthResult<R>): AuthResult<R> {
    this.transport.setSession({ token: result.token, refreshToken: result.refreshToken, realm: this.realm });
    return result;
  }
}
