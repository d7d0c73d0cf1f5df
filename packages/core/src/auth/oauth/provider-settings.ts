import type { OAuthPreset, OAuthProviderView } from '@causeway/wire';
import { z } from 'zod';
import { CausewayError } from '../../errors/causeway-error.js';
import { fromZodError } from '../../errors/zod-issues.js';

/**
 * Providers with a well-known issuer. Each is an OpenID Connect provider found by discovery like any other; a
 * preset only fills in the issuer (Microsoft's names the tenant). GitHub, Discord and Apple are not here: GitHub
 * and Discord are OAuth 2 without OpenID Connect, Apple posts its answer and needs a signed client secret.
 */
export const oauthPresets: Readonly<Record<OAuthPreset, string | undefined>> = {
  oidc: undefined,
  google: 'https://accounts.google.com',
  gitlab: 'https://gitlab.com',
  microsoft: 'https://login.microsoftonline.com/{tenant}/v2.0',
};

export type { OAuthPreset, OAuthProviderView };


/** What is stored besides the sealed secret. */
export type OAuthProviderSettings = Omit<OAuthProviderView, 'hasClientSecret' | 'name'>;

export const providerNamePattern = /^[a-z][a-z0-9-]{0,39}$/;

const redirectUri = z.string().max(2000).refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '' && url.href === value;
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL without a fragment, written as a browser would (e.g. https://app.example.com/auth/callback)');

const issuerUrl = z.string().max(500).refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}, 'must be an https URL (http only for a provider on this machine: localhost, 127.0.0.1, [::1])');

const scope = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'must be a scope token (no spaces or quotes)');

const providerInput = z.strictObject({
  preset: z.enum(Object.keys(oauthPresets) as [OAuthPreset, ...OAuthPreset[]]).default('oidc'),
  displayName: z.string().trim().min(1).max(100).optional(),
  issuer: issuerUrl.optional(),
  tenant: z.string().regex(/^[A-Za-z0-9.-]{1,100}$/, 'must be a tenant id or domain').optional(),
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().min(1).max(4000).optional(),
  scopes: z.array(scope).min(1).max(30).optional(),
  redirectUris: z.array(redirectUri).min(1).max(20),
  enabled: z.boolean().default(true),
});

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Checks an admin's provider definition; answers the settings to store and the new client secret, if one was sent
 * (`hadSecret`: one is stored already, so a change may leave it out).
 */
export function parseProviderInput(name: string, input: unknown, hadSecret: boolean): { settings: OAuthProviderSettings; clientSecret: string | undefined } {
  if (!providerNamePattern.test(name)) {
    throw new CausewayError('VALIDATION_FAILED', 'The provider name is invalid.', { fields: { name: { code: 'invalid', message: 'must be lower-case letters, digits and -, starting with a letter (at most 40)' } } });
  }
  const parsed = providerInput.safeParse(input);
  if (!parsed.success) throw fromZodError('VALIDATION_FAILED', 'The provider is invalid.', parsed.error);
  const { preset, tenant, clientSecret, ...rest } = parsed.data;
  const fields: Record<string, { code: string; message: string }> = {};
  let issuer = rest.issuer;
  const template = oauthPresets[preset];
  if (template === undefined && issuer === undefined) fields.issuer = { code: 'required', message: 'is required for a generic OpenID Connect provider' };
  if (template !== undefined && issuer === undefined) {
    if (template.includes('{tenant}') && tenant === undefined) fields.tenant = { code: 'required', message: `is required for ${preset}: the directory (tenant) id of your app registration` };
    else issuer = template.replace('{tenant}', tenant ?? '');
  }
  if (!hadSecret && clientSecret === undefined) fields.clientSecret = { code: 'required', message: 'is required when a provider is first configured' };
  if (Object.keys(fields).length > 0) throw new CausewayError('VALIDATION_FAILED', 'The provider is incomplete.', { fields });
  const scopes = rest.scopes ?? ['openid', 'email', 'profile'];
  if (!scopes.includes('openid')) scopes.unshift('openid');
  return {
    settings: { preset, displayName: rest.displayName ?? name, issuer: issuer!, clientId: rest.clientId, scopes, redirectUris: rest.redirectUris, enabled: rest.enabled },
    clientSecret,
  };
}
