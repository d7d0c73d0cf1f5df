import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { adminsRealm, CausewayError, type AuthService, type Caller } from '@causeway/core';
import type { CredentialGuard } from '../auth/credential-guard.js';

type Body = Record<string, unknown>;
type CollectionParams = { collection: string };

function bodyOf(request: FastifyRequest): Body {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CausewayError('BAD_REQUEST', 'The body must be a JSON object.');
  return body as Body;
}

/**
 * The auth collection a `/api/collections/:collection/auth/*` route names. Admins are not a collection: their
 * routes are under `/api/admins` only, so `_admins` here is no collection (404), not an alias.
 */
export function authCollectionOf(request: FastifyRequest): string {
  const name = (request.params as CollectionParams).collection;
  if (name === adminsRealm) throw new CausewayError('COLLECTION_NOT_FOUND', `There is no collection '${name}'.`);
  return name;
}

function emailOf(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/** The signed-in account's email, for counting its password checks ('' when not signed in: the check fails anyway). */
function callerEmail(caller: Caller): string {
  if (caller.kind === 'user') return emailOf(caller.record.email);
  return caller.kind === 'admin' ? caller.email : '';
}

const wrongPassword = (error: unknown) => error instanceof CausewayError && error.code === 'INVALID_CREDENTIALS';
const wrongCode = (error: unknown) => error instanceof CausewayError && error.fields?.code?.code === 'wrong_code';
const wrongCurrentPassword = (error: unknown) => error instanceof CausewayError && error.fields?.currentPassword?.code === 'wrong_password';

export interface AuthRoutesOptions {
  auth: AuthService;
  guard: CredentialGuard;
}

/**
 * Session routes shared by admins (`/api/admins/auth/*`) and every auth collection
 * (`/api/collections/:collection/auth/*`): sign-in, refresh, sign-out, me, change-password, password reset.
 * Every check of a credential goes through the guard (docs/auth.md, "Abuse limits").
 */
function sessionRoutes(app: FastifyInstance, prefix: string, realmOf: (request: FastifyRequest) => string, { auth, guard }: AuthRoutesOptions): void {
  app.post(`${prefix}/sign-in`, async (request) => {
    const realm = realmOf(request);
    const { email, password, code } = bodyOf(request);
    // A wrong second-factor code answers like a wrong password, so it is a failed credential check here too.
    return guard.password({ realm, email: emailOf(email), address: request.ip }, () => auth.signIn(realm, email, password, code), wrongPassword);
  });
  app.get(`${prefix}/mfa`, async (request) => auth.secondFactor(request.caller, realmOf(request)));
  app.post(`${prefix}/mfa/setup`, async (request) => auth.setUpSecondFactor(request.caller, realmOf(request)));
  app.post(`${prefix}/mfa/enable`, async (request) => {
    await guard.address(request.ip, 'credentials');
    return auth.enableSecondFactor(request.caller, realmOf(request), bodyOf(request).code);
  });
  // A wrong code is a failed credential check of the account, like a wrong password.
  app.post(`${prefix}/mfa/recovery-codes`, async (request) => {
    const realm = realmOf(request);
    const { code } = bodyOf(request);
    return guard.password({ realm, email: callerEmail(request.caller), address: request.ip }, () => auth.regenerateRecoveryCodes(request.caller, realm, code), wrongCode);
  });
  app.post(`${prefix}/mfa/disable`, async (request, reply) => {
    const realm = realmOf(request);
    const { password } = bodyOf(request);
    await guard.password({ realm, email: callerEmail(request.caller), address: request.ip }, () => auth.disableSecondFactor(request.caller, realm, password), wrongCurrentPassword);
    return reply.code(204).send();
  });
  // Registering asks for the current password, which the guard counts like any other password check.
  app.post(`${prefix}/passkeys/register/options`, async (request) => {
    const realm = realmOf(request);
    const { password } = bodyOf(request);
    return guard.password({ realm, email: callerEmail(request.caller), address: request.ip }, () => auth.passkeyRegistrationOptions(request.caller, realm, password), wrongCurrentPassword);
  });
  app.post(`${prefix}/passkeys`, async (request, reply) => reply.code(201).send(await auth.registerPasskey(request.caller, realmOf(request), bodyOf(request))));
  app.get(`${prefix}/passkeys`, async (request) => ({ items: await auth.listPasskeys(request.caller, realmOf(request)) }));
  app.delete<{ Params: { id: string } }>(`${prefix}/passkeys/:id`, async (request, reply) => {
    await auth.removePasskey(request.caller, realmOf(request), request.params.id);
    return reply.code(204).send();
  });
  // Both steps of a passkey sign-in count as credential checks of the address: options hold a stored challenge.
  app.post(`${prefix}/passkeys/sign-in/options`, async (request) => {
    await guard.address(request.ip, 'credentials');
    return auth.passkeySignInOptions(realmOf(request));
  });
  app.post(`${prefix}/passkeys/sign-in`, async (request) => {
    await guard.address(request.ip, 'credentials');
    return auth.signInWithPasskey(realmOf(request), bodyOf(request));
  });
  app.post(`${prefix}/refresh`, async (request) => auth.refresh(realmOf(request), bodyOf(request).refreshToken));
  app.post(`${prefix}/sign-out`, async (request, reply) => {
    await auth.signOut(realmOf(request), bodyOf(request).refreshToken);
    return reply.code(204).send();
  });
  app.post(`${prefix}/sign-out-everywhere`, async (request, reply) => {
    await auth.signOutEverywhere(request.caller, realmOf(request));
    return reply.code(204).send();
  });
  app.get(`${prefix}/me`, async (request) => auth.me(request.caller, realmOf(request)));
  // A stolen access token must not allow unlimited guessing of the current password.
  app.post(`${prefix}/change-password`, async (request, reply) => {
    const realm = realmOf(request);
    const body = bodyOf(request);
    await guard.password({ realm, email: callerEmail(request.caller), address: request.ip }, () => auth.changePassword(request.caller, realm, body), wrongCurrentPassword);
    return reply.code(204).send();
  });

  // Answered 202 at once whether or not the account exists; the mail goes out afterwards.
  app.post(`${prefix}/request-password-reset`, async (request, reply) => {
    const realm = realmOf(request);
    const { email } = bodyOf(request);
    await guard.mail({ realm, email: emailOf(email), address: request.ip });
    auth.requestPasswordReset(realm, email);
    return reply.code(202).send({ status: 'accepted' });
  });
  // The way back in for an owner whose account is closed to new addresses: a completed reset reopens it.
  app.post(`${prefix}/confirm-password-reset`, async (request, reply) => {
    const realm = realmOf(request);
    await guard.address(request.ip, 'credentials');
    const email = await auth.confirmPasswordReset(realm, bodyOf(request));
    await guard.recovered(realm, email);
    return reply.code(204).send();
  });
}

/** Accounts of auth collections, and admin sessions. */
export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  const { auth, guard } = options;
  const prefix = '/api/collections/:collection/auth';
  sessionRoutes(app, prefix, authCollectionOf, options);
  sessionRoutes(app, '/api/admins/auth', () => adminsRealm, options);

  app.post<{ Params: CollectionParams }>(`${prefix}/sign-up`, async (request, reply) => {
    await guard.address(request.ip, 'sign-up');
    return reply.code(201).send(await auth.signUp(request.caller, authCollectionOf(request), bodyOf(request)));
  });

  app.post<{ Params: CollectionParams }>(`${prefix}/request-verification`, async (request, reply) => {
    const collection = authCollectionOf(request);
    const { email } = bodyOf(request);
    await guard.mail({ realm: collection, email: emailOf(email), address: request.ip });
    auth.requestVerification(collection, email);
    return reply.code(202).send({ status: 'accepted' });
  });
  app.post<{ Params: CollectionParams }>(`${prefix}/confirm-verification`, async (request) => {
    const collection = authCollectionOf(request);
    await guard.address(request.ip, 'credentials');
    return auth.confirmVerification(collection, bodyOf(request).token);
  });

  app.get('/api/admins/status', async () => ({ hasAdmin: await auth.hasAdmin() }));

  // The first admin can be created over HTTP only while none exists, and only from this machine.
  app.post('/api/admins/first-run', async (request, reply) => {
    if (await auth.hasAdmin()) throw new CausewayError('FORBIDDEN', 'An admin already exists; sign in instead.');
    if (!isLoopback(request.ip)) throw new CausewayError('FORBIDDEN', 'The first admin can only be created from the server itself (or with `causeway admin create`).');
    await guard.address(request.ip, 'sign-up');
    const { email, password } = bodyOf(request);
    await auth.createAdmin(email, password);
    return reply.code(201).send(await auth.signIn(adminsRealm, email, password));
  });
};

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
