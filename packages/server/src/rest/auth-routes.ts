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

function accountKey(realm: string, email: unknown): string {
  return `account:${realm}:${typeof email === 'string' ? email.trim().toLowerCase() : ''}`;
}

export interface AuthRoutesOptions {
  auth: AuthService;
  limiter: RateLimiter;
}

/**
 * Session routes shared by admins (`/api/admins/auth/*`) and every auth collection
 * (`/api/collections/:collection/auth/*`): sign-in, refresh, sign-out, me, change-password.
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
}

/** Accounts of auth collections, and admin sessions. */
export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  const { auth, limiter } = options;
  const collectionOf = (request: FastifyRequest) => (request.params as CollectionParams).collection;
  const prefix = '/api/collections/:collection/auth';
  sessionRoutes(app, prefix, collectionOf, options);
  sessionRoutes(app, '/api/admins/auth', () => adminsRealm, options);

  app.post<{ Params: CollectionParams }>(`${prefix}/sign-up`, async (request, reply) => {
    await limiter.hit(`ip:${request.ip}:sign-up`);
    return reply.code(201).send(await auth.signUp(request.caller, request.params.collection, bodyOf(request)));
  });

  // Answered 202 at once whether or not the account exists; the mail goes out afterwards.
  app.post<{ Params: CollectionParams }>(`${prefix}/request-password-reset`, async (request, reply) => {
    const { email } = bodyOf(request);
    await limiter.hit(`ip:${request.ip}:reset`, accountKey(request.params.collection, email));
    auth.requestPasswordReset(request.params.collection, email);
    return reply.code(202).send({ status: 'accepted' });
  });
  app.post<{ Params: CollectionParams }>(`${prefix}/confirm-password-reset`, async (request, reply) => {
    await limiter.hit(`ip:${request.ip}:reset`);
    await auth.confirmPasswordReset(request.params.collection, bodyOf(request));
    return reply.code(204).send();
  });
  app.post<{ Params: CollectionParams }>(`${prefix}/request-verification`, async (request, reply) => {
    const { email } = bodyOf(request);
    await limiter.hit(`ip:${request.ip}:verify`, accountKey(request.params.collection, email));
    auth.requestVerification(request.params.collection, email);
    return reply.code(202).send({ status: 'accepted' });
  });
  app.post<{ Params: CollectionParams }>(`${prefix}/confirm-verification`, async (request) => {
    await limiter.hit(`ip:${request.ip}:verify`);
    return auth.confirmVerification(request.params.collection, bodyOf(request).token);
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
