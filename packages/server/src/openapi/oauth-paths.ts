import { oauthPresets, type Collection } from '@causeway/core';
import type { JsonSchema, Operation, PathItem } from './openapi-types.js';

type Errors = (...statuses: number[]) => Record<string, { $ref: string }>;

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const object = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema => ({ type: 'object', properties, required });
const text: JsonSchema = { type: 'string' };
const strings: JsonSchema = { type: 'array', items: text };
const path = (name: string) => ({ name, in: 'path' as const, required: true, schema: text });

const providerView: JsonSchema = {
  ...object({ name: text, preset: { type: 'string', enum: Object.keys(oauthPresets) }, displayName: text, issuer: text, clientId: text, hasClientSecret: { type: 'boolean' }, scopes: strings, redirectUris: strings, enabled: { type: 'boolean' } }),
  additionalProperties: false,
};
const providerInput: JsonSchema = {
  type: 'object',
  properties: { preset: { type: 'string', enum: Object.keys(oauthPresets) }, displayName: text, issuer: text, tenant: text, clientId: text, clientSecret: { type: 'string', description: 'Write-only: never returned.' }, scopes: strings, redirectUris: strings, enabled: { type: 'boolean' } },
  required: ['clientId', 'redirectUris'],
  additionalProperties: false,
};
const identity: JsonSchema = { ...object({ id: text, provider: text, email: text, created: { type: 'string', format: 'date-time' } }), additionalProperties: false };

/** Sign-in with a provider, and the admins' provider configuration, for each auth collection (docs/auth.md). */
export function oauthPaths(collections: readonly Collection[], errors: Errors, session: (collection: Collection) => JsonSchema): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {};
  for (const collection of collections.filter((c) => c.type === 'auth')) {
    const prefix = `/api/collections/${collection.name}/auth/oauth`;
    const admin = `/api/collections/${collection.name}/oauth-providers`;
    const op = (id: string, summary: string, rest: Omit<Operation, 'operationId' | 'summary' | 'tags'>): Operation => ({ operationId: `${id}_${collection.name}`, summary, tags: [collection.name], ...rest });
    const signedIn = { '200': { description: 'Signed in.', content: json(session(collection)) } };
    Object.assign(paths, {
      [`${prefix}/providers`]: { get: op('oauthProviders', 'The enabled sign-in providers (public)', { responses: { '200': { description: 'Providers.', content: json({ type: 'array', items: { ...object({ name: text, displayName: text }), additionalProperties: false } }) }, ...errors(400, 404) } }) },
      [`${prefix}/{provider}/start`]: { post: op('oauthStart', 'Start signing in with a provider: the URL to send the browser to', { parameters: [path('provider')], requestBody: { required: true, content: json(object({ redirectUri: text })) }, responses: { '200': { description: 'The authorization URL.', content: json(object({ url: text })) }, ...errors(400, 404, 422, 502) } }) },
      [`${prefix}/{provider}/finish`]: { post: op('oauthFinish', 'Finish signing in with what the provider sent back (401 MFA_REQUIRED with a `ticket` when the account has a second factor)', { parameters: [path('provider')], requestBody: { required: true, content: json(object({ code: text, state: text, iss: text }, ['code', 'state'])) }, responses: { ...signedIn, ...errors(400, 401, 403, 404, 409, 422, 502) } }) },
      [`${prefix}/mfa`]: { post: op('oauthSecondFactor', 'The second step for an account with a second factor: the ticket and a TOTP or recovery code', { requestBody: { required: true, content: json(object({ ticket: text, code: text })) }, responses: { ...signedIn, ...errors(400, 401) } }) },
      [`${prefix}/identities`]: { get: op('oauthIdentities', "The signed-in account's linked identities", { responses: { '200': { description: 'Identities.', content: json({ type: 'array', items: identity }) }, ...errors(400, 404) } }) },
      [`${prefix}/identities/{id}`]: { delete: op('oauthUnlink', 'Unlink an identity (409 LAST_SIGN_IN_METHOD for the only way in of an account without a password)', { parameters: [path('id')], responses: { '204': { description: 'Unlinked.' }, ...errors(404, 409) } }) },
      [admin]: { get: op('listOAuthProviders', 'The sign-in providers, as admins see them (never the client secret)', { responses: { '200': { description: 'Providers.', content: json({ type: 'array', items: providerView }) }, ...errors(400, 403, 404) } }) },
      [`${admin}/{provider}`]: {
        put: op('putOAuthProvider', 'Create or replace a sign-in provider (admins only); leave `clientSecret` out to keep the stored one', { parameters: [path('provider')], requestBody: { required: true, content: json(providerInput) }, responses: { '200': { description: 'Stored.', content: json(providerView) }, ...errors(403, 404, 422) } }),
        delete: op('deleteOAuthProvider', 'Remove a sign-in provider (admins only)', { parameters: [path('provider')], responses: { '204': { description: 'Removed.' }, ...errors(403, 404) } }),
      },
    });
  }
  return paths;
}
