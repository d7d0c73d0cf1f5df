/** The providers with a well-known issuer (`oidc`: any OpenID Connect provider, by its issuer URL). */
export type OAuthPreset = 'oidc' | 'google' | 'gitlab' | 'microsoft';

/** A sign-in provider of an auth collection as an admin sees it: everything but the client secret, which is write-only. */
export interface OAuthProviderView {
  name: string;
  preset: OAuthPreset;
  displayName: string;
  issuer: string;
  clientId: string;
  /** Whether a client secret is stored (it is never returned). */
  hasClientSecret: boolean;
  scopes: string[];
  redirectUris: string[];
  enabled: boolean;
}
