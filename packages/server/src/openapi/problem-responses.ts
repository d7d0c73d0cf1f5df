import { errorCatalogue, errorCodes } from '@causeway/core';
import type { Operation, PathItem, Response } from './openapi-types.js';

const problemRef = (status: number) => ({ $ref: `#/components/responses/Problem${status}` });

/**
 * One response per status of the error catalogue: a Problem whose `status` is that status and whose `code` is one
 * of the catalogue's codes for it, so a validator catches a body that contradicts its own status line.
 */
export function problemResponses(): Record<string, Response> {
  const statuses = [...new Set(errorCodes.map((code) => errorCatalogue[code].status))];
  return Object.fromEntries(
    statuses.map((status) => {
      const codes = errorCodes.filter((code) => errorCatalogue[code].status === status);
      const schema = { allOf: [{ $ref: '#/components/schemas/Problem' }, { properties: { status: { const: status }, code: { enum: codes } } }] };
      return [`Problem${status}`, { description: `Problem: ${codes.join(', ')}`, content: { 'application/problem+json': { schema } } }];
    }),
  );
}

/**
 * What any request can be answered, whatever its route: a malformed or expired bearer token (checked before
 * every route, public ones too), the per-address rate limit, a failure on the server's side, a server shutting
 * down or out of space.
 */
const anyRequest = [401, 429, 500, 503];
/** Fastify reads a body on these methods whenever one is sent: it may be malformed, too large or not JSON. */
const withBody = [400, 413, 415];
/** A path parameter that does not decode, or is longer than the router reads. */
const withPathParameter = [400, 414];

/** Adds to every operation the answers no route can rule out (see above), keeping the statuses in order. */
export function withCommonAnswers(paths: Record<string, PathItem>): Record<string, PathItem> {
  const answered = (path: string, method: string, operation: Operation): Operation => {
    const statuses = [...anyRequest, ...(method === 'get' ? [] : withBody), ...(path.includes('{') ? withPathParameter : [])];
    const responses = { ...operation.responses };
    for (const status of statuses) responses[String(status)] ??= problemRef(status);
    const ordered = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
    return { ...operation, responses: ordered };
  };
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(Object.entries(item).map(([method, operation]) => [method, answered(path, method, operation as Operation)])) as PathItem,
    ]),
  );
}
