import type { FastifyInstance } from 'fastify';
import { CausewayError, errorCatalogue, errorCodes, type ErrorCode } from '@causeway/core';
import { problemContentType, toProblem } from '../rest/problem.js';

/** The catalogue's code for a status (its first), for answers something other than Causeway produced. */
const codeByStatus = new Map<number, ErrorCode>();
for (const code of errorCodes) if (!codeByStatus.has(errorCatalogue[code].status)) codeByStatus.set(errorCatalogue[code].status, code);

function codeFor(status: number): ErrorCode {
  return codeByStatus.get(status) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}

/**
 * The safety net under "every error is problem+json": an error answer that a plugin wrote in another shape
 * (the CORS step answers an invalid preflight in text/plain, as @fastify/cors did) or with no body at all becomes a problem with the
 * same status. JSON bodies are left alone: those are Causeway's problems, or GraphQL's own error format, which
 * the GraphQL-over-HTTP specification prescribes.
 */
export function problemBodiesForErrors(app: FastifyInstance): void {
  // A callback hook: it runs on every response, and the common case (a success) returns at the first check.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode < 400) return done(null, payload);
    const type = String(reply.getHeader('content-type') ?? '');
    if (/json/.test(type)) return done(null, payload);
    const status = reply.statusCode;
    const code = codeFor(status);
    const detail = typeof payload === 'string' && payload !== '' && payload.length < 200 ? payload : errorCatalogue[code].title;
    if (status >= 500) request.log.error({ status, type }, 'an error answer had no problem body');
    const body = JSON.stringify({ ...toProblem(new CausewayError(code, detail), request.url), status });
    reply.header('content-type', problemContentType);
    reply.header('content-length', Buffer.byteLength(body));
    done(null, body);
  });
}
