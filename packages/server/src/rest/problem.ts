import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CausewayError, errorCatalogue, isCausewayError, type ErrorCode } from '@causeway/core';
import type { Problem } from '@causeway/wire';

export const problemContentType = 'application/problem+json';

/** RFC 9457 body (the wire's `Problem`). `code` is the stable machine-readable name; `errors` holds per-field messages. */
export type { Problem };

export function problemType(code: ErrorCode): string {
  return `urn:causeway:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export function toProblem(error: CausewayError, instance?: string): Problem {
  const problem: Problem = {
    ...error.extra,
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    code: error.code,
    detail: error.message,
  };
  if (instance) problem.instance = instance;
  if (error.fields) problem.errors = error.fields;
  if (error.position !== undefined) problem.position = error.position;
  return problem;
}

/** Fastify's own failures (body parsing, limits) as Causeway errors, so clients see one error shape. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  // Before a route is found (frameworkErrors): a path that does not decode, a path segment over 100 characters.
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

export function asCausewayError(error: unknown): CausewayError {
  if (isCausewayError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (mapped) return new CausewayError(mapped, fastifyError.message ?? errorCatalogue[mapped].title, { cause: error });
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new CausewayError('MALFORMED_JSON', `The body is not valid JSON: ${error.message}`, { cause: error });
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new CausewayError('BAD_REQUEST', fastifyError.message ?? 'Bad request', { cause: error });
  }
  return new CausewayError('INTERNAL', 'Something went wrong on our side; the request id is in the log.', { cause: error });
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const causeway = asCausewayError(error);
  // 5xx are the operator's to see (a bug, a full disk), with the request id the log line carries.
  if (causeway.status >= 500) request.log.error({ err: error, code: causeway.code }, 'request failed');
  else request.log.info({ code: causeway.code, detail: causeway.message }, 'request refused');
  if (causeway.status === 401) reply.header('www-authenticate', causeway.code === 'INVALID_TOKEN' ? 'Bearer error="invalid_token"' : 'Bearer');
  const retryAfter = causeway.extra?.retryAfter;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  return reply.code(causeway.status).type(problemContentType).send(toProblem(causeway, request.url));
}
