import type { FastifyInstance, FastifyRequest } from 'fastify';
import { anonymousCaller, CausewayError, type AuthService, type Caller } from '@causeway/core';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking; anonymous unless a valid `Authorization: Bearer` access token came with the request. */
    caller: Caller;
  }
}

const bearer = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)$/;

/**
 * Turns the Authorization header into `request.caller` before any route runs: the returned step is run by the
 * request's first hook (`http/request-start.ts`). A header that is present but invalid (expired, forged, tampered,
 * wrong key, revoked session) is a 401, even on public routes: a client that believes it is signed in should learn
 * at once that it is not.
 */
export function requestAuthentication(app: FastifyInstance, auth: AuthService): (request: FastifyRequest, done: (error?: Error) => void) => void {
  app.decorateRequest<Caller | null>('caller', null);
  // A callback, not an async function: anonymous requests must not pay for a promise.
  return (request, done) => {
    request.caller = anonymousCaller;
    const header = request.headers.authorization;
    if (header === undefined) return done();
    const token = bearer.exec(header)?.[1];
    if (!token) return done(new CausewayError('INVALID_TOKEN', 'The Authorization header must be "Bearer <access token>".'));
    const recent = auth.recentCaller(token);
    if (recent) {
      request.caller = recent;
      return done();
    }
    auth.authenticate(token).then((caller) => {
      request.caller = caller;
      done();
    }, done);
  };
}

/** Guards admin-only routes, saying why a request is refused (no admin yet, not signed in, not an admin). */
export function adminOnly(auth: AuthService) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.caller.kind === 'admin') return;
    if (!(await auth.hasAdmin())) {
      throw new CausewayError('NO_ADMIN', 'No admin account exists yet. Create one with `causeway admin create --email you@example.com` or on the console\'s first-run screen.');
    }
    if (request.caller.kind === 'anonymous') throw new CausewayError('UNAUTHENTICATED', 'Sign in as an admin to manage collections.');
    throw new CausewayError('FORBIDDEN', 'Only admins can do this.');
  };
}
