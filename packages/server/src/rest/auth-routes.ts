import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { adminsRealm, CausewayError, type AuthService } from '@causeway/core';
import type { RateLimiter } from '../auth/rate-limiter.js';

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

function accountKey(realm: string, email: unknown): string {
  return `account:${realm}:${typeof email === 'string' ? email.trim().toLowerCase() : ''}`;
}

export interface AuthRoutesOptions {
  auth: AuthService;
  limiter: RateLimiter;
}

/**
 * Session routes shared by admins (`/api/admins/auth/*`) and every auth collection
 * (`/api/collections/:collection/auth/*`): sign-in, refresh, sign-out, me, change-password, password reset.
 */
function sessionRoutes(app: FastifyInstance, prefix: string, realmOf: (request: FastifyRequest) => string, { auth, limiter }: AuthRoutesOptions): void {
  app.post(`${prefix}/sign-in`, async (request) => {
    const realm = realmOf(request);
    const { email, password } = bodyOf(request);
    await limiter.hit(`ip:${request.ip}:sign-in`, accountKey(realm, email));
    return auth.signIn(realm, email, password);
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
  app.post(`${prefix}/change-password`, async (request, reply) => {
    await auth.changePassword(request.caller, realmOf(request), bodyOf(request));
    return reply.code(204).send();
  });

  // Answered 202 at once whether or not the account exists; the mail goes out afterwards.
  app.post(`${prefix}/request-password-reset`, async (request, reply) => {
    const { email } = bodyOf(request);
    await limiter.hit(`ip:${request.ip}:reset`, accountKey(realmOf(request), email));
    auth.requestPasswordReset(realmOf(request), email);
    return reply.code(202).send({ status: 'accepted' });
  });
  app.post(`${prefix}/confirm-password-reset`, async (request, reply) => {
    await limiter.hit(`ip:${request.ip}:reset`);
    await auth.confirmPasswordReset(realmOf(request), bodyOf(request));
    return reply.code(204).send();
  });
}

/** Accounts of auth collections, and admin sessions. */
export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  const { auth, limiter } = options;
  const prefix = '/api/collections/:collection/auth';
  sessionRoutes(app, prefix, authCollectionOf, options);
  sessionRoutes(app, '/api/admins/auth', () => adminsRealm, options);

  app.post<{ Params: CollectionParams }>(`${prefix}/sign-up`, async (request, reply) => {
    await limiter.hit(`ip:${request.ip}:sign-up`);
    return reply.code(201).send(await auth.signUp(request.caller, authCollectionOf(request), bodyOf(request)));
  });

  app.post<{ Params: CollectionParams }>(`${prefix}/request-verification`, async (request, reply) => {
    const { email } = bodyOf(request);
    await limiter.hit(`ip:${request.ip}:verify`, accountKey(authCollectionOf(request), email));
    auth.requestVerification(authCollectionOf(request), email);
    return reply.code(202).send({ status: 'accepted' });
  });
  app.post<{ Params: CollectionParams }>(`${prefix}/confirm-verification`, async (request) => {
    await limiter.hit(`ip:${request.ip}:verify`);
    return auth.confirmVerification(authCollectionOf(request), bodyOf(request).token);
  });

  app.get('/api/admins/status', async () => ({ hasAdmin: await auth.hasAdmin() }));

  // The first admin can be created over HTTP only while none exists, and only from this machine.
  app.post('/api/admins/first-run', async (request, reply) => {
    if (await auth.hasAdmin()) throw new CausewayError('FORBIDDEN', 'An admin already exists; sign in instead.');
    if (!isLoopback(request.ip)) throw new CausewayError('FORBIDDEN', 'The first admin can only be created from the server itself (or with `causeway admin create`).');
    await limiter.hit(`ip:${request.ip}:sign-up`);
    const { email, password } = bodyOf(request);
    await auth.createAdmin(email, password);
    return reply.code(201).send(await auth.signIn(adminsRealm, email, password));
  });
};

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
