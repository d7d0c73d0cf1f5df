import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CausewayError } from '@causeway/core';
import { sendProblem } from '../rest/problem.js';
import { rateLimited, type AddressRateLimit } from './address-rate-limit.js';
import type { Cors } from './cors.js';

export interface RequestStartSteps {
  /** The security headers, computed once (`securityHeaders()`). */
  headers: Readonly<Record<string, string>>;
  /** The general limit per client address; none when the operator turned it off. */
  addressLimit: AddressRateLimit | undefined;
  /** Whether the server is draining before it closes. */
  closing: () => boolean;
  cors: Cors;
  /** Sets `request.caller` (see `auth/authenticate.ts`), then calls `done`, with the error of a bad token. */
  authenticate: (request: FastifyRequest, done: (error?: Error) => void) => void;
}

/**
 * Everything every request does before its route, in one `onRequest` hook and in this order: security headers and
 * the request id; the address limit (429); a draining server's refusal (503); CORS (a preflight is answered here);
 * authentication. One callback hook rather than one per concern: each hook Fastify runs costs a request its hook
 * runner, and an async hook a promise, on every request.
 */
export function startRequests(app: FastifyInstance, steps: RequestStartSteps): void {
  const { headers, addressLimit, closing, cors, authenticate } = steps;
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    const wait = addressLimit?.take(request.ip) ?? 0;
    if (wait > 0) return sendProblem(rateLimited(wait), request, reply);
    if (closing()) {
      // A request on a kept-alive connection while the server drains: refused, and the connection is not reused.
      reply.header('connection', 'close');
      return sendProblem(new CausewayError('SHUTTING_DOWN', 'The server is shutting down; retry in a moment.'), request, reply);
    }
    if (cors.apply(request, reply)) return;
    authenticate(request, done);
  });
  cors.route(app);
}
