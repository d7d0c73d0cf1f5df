import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { CausewayError, fromZodError, type Caller, type ErrorCode, type RecordsService } from '@causeway/core';
import { causewayRecords } from './causeway-records.js';
import type { CustomRoute, RouteAuth } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes, on custom routes that asked for them (`rawBody: true`). */
    rawBody?: Buffer;
  }
}

export interface CustomRoutesOptions {
  routes: readonly CustomRoute[];
  records: RecordsService;
}

function checkAuth(auth: RouteAuth, caller: Caller): void {
  if (auth === 'anyone') return;
  if (caller.kind === 'anonymous') throw new CausewayError('UNAUTHENTICATED', auth === 'admin' ? 'Sign in as an admin to use this route.' : 'Sign in to use this route.');
  if (auth === 'admin' && caller.kind !== 'admin') throw new CausewayError('FORBIDDEN', 'Only admins can use this route.');
}

function parse(schema: z.ZodType | undefined, value: unknown, code: ErrorCode, what: string): unknown {
  if (!schema) return value;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fromZodError(code, `The ${what} is invalid.`, parsed.error);
  return parsed.data;
}

/**
 * Serves the extensions' routes. Each is an ordinary route of the app, so the address rate limit, the body limit,
 * authentication, security headers and problem+json answers apply exactly as to the built-in ones.
 */
export async function customRoutes(app: FastifyInstance, { routes, records }: CustomRoutesOptions): Promise<void> {
  const asIs = app.getDefaultJsonParser('error', 'error');
  // Declared up front so requests keep one shape (Fastify's advice for properties set per request).
  app.decorateRequest('rawBody', undefined);
  for (const route of routes) {
    const { options, handler } = route;
    // Each route in a context of its own, so a raw-body parser stays with the route that asked for it.
    await app.register(async (scope) => {
      if (options.rawBody) {
        scope.removeContentTypeParser('application/json');
        scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done) => {
          request.rawBody = body;
          asIs(request, body.toString('utf8'), done);
        });
      }
      scope.route({
        method: route.method,
        url: route.path,
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          checkAuth(options.auth ?? 'signed-in', request.caller);
          const params = parse(options.params, request.params, 'BAD_REQUEST', 'path');
          const query = parse(options.query, request.query, 'INVALID_QUERY', 'query string');
          const body = parse(options.body, request.body, 'VALIDATION_FAILED', 'body');
          const result = await handler({
            caller: request.caller,
            body,
            query: query as Record<string, unknown>,
            params: params as Record<string, string>,
            rawBody: request.rawBody ?? Buffer.alloc(0),
            records: causewayRecords(records, request.caller),
            request,
            reply,
          });
          if (reply.sent) return reply;
          if (result === undefined) return reply.code(204).send();
          return reply.send(result);
        },
      });
    });
  }
}
