import type { Collection } from '@causeway/core';
import type { JsonSchema, Operation, PathItem } from './openapi-types.js';

type Errors = (...statuses: number[]) => Record<string, { $ref: string }>;

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const object = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema => ({ type: 'object', properties, required });
const text: JsonSchema = { type: 'string' };

const accepted = { description: 'Accepted.', content: json(object({ status: { type: 'string', enum: ['accepted'] } })) };

export function session(account: JsonSchema): JsonSchema {
  return object(
    {
      token: { type: 'string', description: 'Access token (JWT) for `Authorization: Bearer`.' },
      expiresIn: { type: 'integer', description: 'Seconds.' },
      refreshToken: text,
      record: account,
      recoveryCodes: { type: 'array', items: text, description: 'Only when this sign-in turned a second factor on (an admin made to set one up); shown once.' },
    },
    ['token', 'expiresIn', 'refreshToken', 'record'],
  );
}

/** sign-in, refresh, sign-out, me, change-password, password reset: the same for admins and every auth collection. */
function sessionPaths(prefix: string, tag: string, suffix: string, account: JsonSchema, errors: Errors): Record<string, PathItem> {
  // 400: the body is not a JSON object; 422: a member is missing or malformed.
  const op = (id: string, summary: string, rest: Omit<Operation, 'operationId' | 'summary' | 'tags'>): Operation => ({ operationId: `${id}_${suffix}`, summary, tags: [tag], ...rest });
  return {
    [`${prefix}/sign-in`]: { post: op('signIn', 'Sign in with email and password (and `code`, a TOTP or recovery code, when the account has a second factor on: else 401 MFA_REQUIRED)', { requestBody: { required: true, content: json(object({ email: text, password: text, code: text }, ['email', 'password'])) }, responses: { '200': { description: 'Signed in.', content: json(session(account)) }, ...errors(400, 401, ...(suffix === 'admins' ? [403] : []), 422, 429) } }) },
    [`${prefix}/refresh`]: { post: op('refresh', 'Trade a refresh token for new tokens (the old one is spent)', { requestBody: { required: true, content: json(object({ refreshToken: text })) }, responses: { '200': { description: 'New tokens.', content: json(session(account)) }, ...errors(400, 401, 422) } }) },
    [`${prefix}/sign-out`]: { post: op('signOut', 'End the session of a refresh token', { requestBody: { required: true, content: json(object({ refreshToken: text })) }, responses: { '204': { description: 'Signed out.' }, ...errors(400, 422) } }) },
    [`${prefix}/me`]: { get: op('me', 'The signed-in account', { responses: { '200': { description: 'The account.', content: json(account) }, ...errors(401) } }) },
    [`${prefix}/sign-out-everywhere`]: { post: op('signOutEverywhere', 'End every session of the signed-in account, this one included', { responses: { '204': { description: 'Signed out everywhere.' }, ...errors(401) } }) },
    [`${prefix}/change-password`]: { post: op('changePassword', 'Change the password; other sessions end', { requestBody: { required: true, content: json(object({ currentPassword: text, newPassword: text })) }, responses: { '204': { description: 'Changed.' }, ...errors(400, 401, 422, 429) } }) },
    [`${prefix}/mfa`]: { get: op('secondFactor', 'Whether the signed-in account has a second factor on', { responses: { '200': { description: 'Status.', content: json({ ...object({ enabled: { type: 'boolean' }, recoveryCodesLeft: { type: 'integer' } }), additionalProperties: false }) }, ...errors(401) } }) },
    [`${prefix}/mfa/setup`]: { post: op('setUpSecondFactor', 'Start TOTP setup: a new secret, pending until enabled with a code from it', { responses: { '200': { description: 'The secret, as base32 and as an otpauth:// URI for a QR code.', content: json({ ...object({ secret: text, uri: text }), additionalProperties: false }) }, ...errors(401, 422) } }) },
    [`${prefix}/mfa/enable`]: { post: op('enableSecondFactor', 'Turn TOTP on with a code from the pending secret; answers the recovery codes, once', { requestBody: { required: true, content: json(object({ code: text })) }, responses: { '200': { description: 'On.', content: json({ ...object({ recoveryCodes: { type: 'array', items: text } }), additionalProperties: false }) }, ...errors(400, 401, 422, 429) } }) },
    [`${prefix}/mfa/recovery-codes`]: { post: op('regenerateRecoveryCodes', 'New recovery codes in place of the earlier ones, with a current TOTP code or an unused recovery code; answered once', { requestBody: { required: true, content: json(object({ code: text })) }, responses: { '200': { description: 'The new codes.', content: json({ ...object({ recoveryCodes: { type: 'array', items: text } }), additionalProperties: false }) }, ...errors(400, 401, 422, 429) } }) },
    [`${prefix}/mfa/disable`]: { post: op('disableSecondFactor', 'Turn the second factor off (current password required)', { requestBody: { required: true, content: json(object({ password: text })) }, responses: { '204': { description: 'Off.' }, ...errors(400, 401, 422, 429) } }) },
    ...passkeyPaths(prefix, op, account, errors),
    [`${prefix}/request-password-reset`]: { post: op('requestPasswordReset', 'Mail a reset link (same answer whether or not the account exists)', { requestBody: { required: true, content: json(object({ email: text })) }, responses: { '202': accepted, ...errors(400, 429) } }) },
    [`${prefix}/confirm-password-reset`]: { post: op('confirmPasswordReset', 'Set a new password with a mailed token; every session ends', { requestBody: { required: true, content: json(object({ token: text, password: text })) }, responses: { '204': { description: 'Changed.' }, ...errors(400, 401, 422, 429) } }) },
  };
}

const passkey: JsonSchema = {
  ...object({ id: { type: 'string', description: 'The credential id (base64url).' }, name: text, created: { type: 'string', format: 'date-time' }, lastUsed: { type: ['string', 'null'], format: 'date-time' }, backedUp: { type: 'boolean' } }),
  additionalProperties: false,
};
const webAuthnOptions = (kind: string): JsonSchema => ({ type: 'object', description: `${kind} (WebAuthn Level 3 JSON): hand to \`PublicKeyCredential.parse${kind === 'PublicKeyCredentialCreationOptionsJSON' ? 'Creation' : 'Request'}OptionsFromJSON\`.`, required: ['challenge'] });
const webAuthnCredential: JsonSchema = { type: 'object', description: "The browser's answer, `PublicKeyCredential.toJSON()`.", required: ['id', 'response'] };

/** Passkeys of the signed-in account, and signing in with one (discoverable credentials: no email). */
function passkeyPaths(prefix: string, op: (id: string, summary: string, rest: Omit<Operation, 'operationId' | 'summary' | 'tags'>) => Operation, account: JsonSchema, errors: Errors): Record<string, PathItem> {
  return {
    [`${prefix}/passkeys/register/options`]: { post: op('passkeyRegistrationOptions', 'Options to create a passkey for the signed-in account (current password required)', { requestBody: { required: true, content: json(object({ password: text })) }, responses: { '200': { description: 'Creation options; the challenge is single use and lasts five minutes.', content: json(webAuthnOptions('PublicKeyCredentialCreationOptionsJSON')) }, ...errors(400, 401, 409, 422, 429) } }) },
    [`${prefix}/passkeys`]: {
      get: op('listPasskeys', "The signed-in account's passkeys", { responses: { '200': { description: 'The passkeys, oldest first.', content: json(object({ items: { type: 'array', items: passkey } })) }, ...errors(401) } }),
      post: op('registerPasskey', 'Store the passkey the browser created from the registration options', { requestBody: { required: true, content: json(object({ credential: webAuthnCredential, name: { type: 'string', maxLength: 100 } }, ['credential'])) }, responses: { '201': { description: 'Registered.', content: json(passkey) }, ...errors(400, 401, 409, 422) } }),
    },
    [`${prefix}/passkeys/{id}`]: { delete: op('removePasskey', 'Remove one of the signed-in account\'s passkeys (409 LAST_SIGN_IN_METHOD when it is the only way in)', { parameters: [idParameter], responses: { '204': { description: 'Removed.' }, ...errors(401, 404, 409) } }) },
    [`${prefix}/passkeys/sign-in/options`]: { post: op('passkeySignInOptions', 'Options to sign in with a passkey (no account named)', { responses: { '200': { description: 'Request options; the challenge is single use and lasts five minutes.', content: json(webAuthnOptions('PublicKeyCredentialRequestOptionsJSON')) }, ...errors(400, 429) } }) },
    [`${prefix}/passkeys/sign-in`]: { post: op('signInWithPasskey', 'Sign in with a passkey assertion (and `code` when the account has a second factor on and the authenticator did not verify the person: else 401 MFA_REQUIRED)', { requestBody: { required: true, content: json(object({ credential: webAuthnCredential, code: text }, ['credential'])) }, responses: { '200': { description: 'Signed in.', content: json(session(account)) }, ...errors(400, 401, 422, 429) } }) },
  };
}

/** Account endpoints of the admins and of each auth collection. */
export function authPaths(collections: readonly Collection[], errors: Errors, recordSchema: (collection: Collection) => JsonSchema): Record<string, PathItem> {
  const admin: JsonSchema = { ...object({ id: text, email: text, created: { type: 'string', format: 'date-time' }, updated: { type: 'string', format: 'date-time' } }), additionalProperties: false };
  const paths: Record<string, PathItem> = { ...sessionPaths('/api/admins/auth', 'admins', 'admins', admin, errors) };
  paths['/api/admins/status'] = { get: { operationId: 'adminStatus', summary: 'Whether an admin exists (first run)', tags: ['admins'], responses: { '200': { description: 'Status.', content: json(object({ hasAdmin: { type: 'boolean' } })) } } } };
  paths['/api/admins/first-run'] = {
    post: { operationId: 'createFirstAdmin', summary: 'Create the first admin (only while none exists, only from the server itself)', tags: ['admins'], requestBody: { required: true, content: json(object({ email: text, password: text })) }, responses: { '201': { description: 'Created and signed in.', content: json(session(admin)) }, ...errors(400, 403, 409, 422) } },
  };
  Object.assign(paths, adminPaths(admin, errors));
  for (const collection of collections.filter((c) => c.type === 'auth')) {
    const prefix = `/api/collections/${collection.name}/auth`;
    const account = recordSchema(collection);
    const op = (id: string, summary: string, rest: Omit<Operation, 'operationId' | 'summary' | 'tags'>): Operation => ({ operationId: `${id}_${collection.name}`, summary, tags: [collection.name], ...rest });
    Object.assign(paths, sessionPaths(prefix, collection.name, collection.name, account, errors), {
      [`${prefix}/sign-up`]: { post: op('signUp', 'Create an account and sign in', { requestBody: { required: true, content: json({ type: 'object', properties: { email: text, password: text }, required: ['email', 'password'], description: 'Plus the collection\'s own fields.' }) }, responses: { '201': { description: 'Signed up.', content: json(session(account)) }, ...errors(400, 403, 409, 422, 429) } }) },
      [`${prefix}/request-verification`]: { post: op('requestVerification', 'Mail a verification link', { requestBody: { required: true, content: json(object({ email: text })) }, responses: { '202': accepted, ...errors(400, 429) } }) },
      [`${prefix}/confirm-verification`]: { post: op('confirmVerification', 'Mark the address verified with a mailed token', { requestBody: { required: true, content: json(object({ token: text })) }, responses: { '200': { description: 'Verified.', content: json(account) }, ...errors(400, 401, 422, 429) } }) },
      [`${prefix}/accounts/{id}/sign-out`]: { post: op('signOutAccount', 'End every session of an account (admins only)', { parameters: [idParameter], responses: { '204': { description: 'Signed out everywhere.' }, ...errors(401, 403, 404) } }) },
    });
  }
  return paths;
}

const idParameter = { name: 'id', in: 'path' as const, required: true, schema: text };

/** Admin management: admins only. */
function adminPaths(admin: JsonSchema, errors: Errors): Record<string, PathItem> {
  const op = (id: string, summary: string, rest: Omit<Operation, 'operationId' | 'summary' | 'tags'>): Operation => ({ operationId: id, summary, tags: ['admins'], ...rest });
  return {
    '/api/admins': {
      get: op('listAdmins', 'Every admin, oldest first', { responses: { '200': { description: 'The admins.', content: json(object({ items: { type: 'array', items: admin } })) }, ...errors(401, 403) } }),
      post: op('createAdmin', 'Create an admin', { requestBody: { required: true, content: json(object({ email: text, password: text })) }, responses: { '201': { description: 'Created.', content: json(admin) }, ...errors(400, 401, 403, 409, 422) } }),
    },
    '/api/admins/{id}': {
      delete: op('deleteAdmin', 'Delete an admin; its sessions end. The last admin cannot be deleted (409 LAST_ADMIN)', { parameters: [idParameter], responses: { '204': { description: 'Deleted.' }, ...errors(401, 403, 404, 409) } }),
    },
    '/api/admins/{id}/password': {
      post: op('resetAdminPassword', "Set an admin's password; every session of that admin ends", { parameters: [idParameter], requestBody: { required: true, content: json(object({ password: text })) }, responses: { '204': { description: 'Changed.' }, ...errors(400, 401, 403, 404, 422) } }),
    },
    '/api/admins/{id}/sign-out': {
      post: op('signOutAdmin', 'End every session of an admin', { parameters: [idParameter], responses: { '204': { description: 'Signed out everywhere.' }, ...errors(401, 403, 404) } }),
    },
  };
}
