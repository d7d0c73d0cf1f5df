import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Caller } from '@causeway/core';
import type { CausewayRecords } from './causeway-records.js';
import type { AnySchema, SchemaShape } from './schema-types.js';

export const customRouteMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type CustomRouteMethod = (typeof customRouteMethods)[number];

/** Every custom route lives under this prefix, so it can never shadow or be shadowed by a built-in one. */
export const customRoutePrefix = '/api/custom/';

/** Who may call a route: checked before its input is read. */
export type RouteAuth = 'anyone' | 'signed-in' | 'admin';

type ZodObjectLike = z.ZodType<Record<string, unknown>>;

export interface RouteOptions<B extends z.ZodType = z.ZodType, Q extends ZodObjectLike = ZodObjectLike, P extends ZodObjectLike = ZodObjectLike> {
  /** The JSON body's schema: a body that fails it is answered 422 with a message per field. */
  body?: B;
  /** The query string's schema (values arrive as text: use `z.coerce` for numbers): failures answer 400. */
  query?: Q;
  /** The path parameters' schema (`:id` in the path): failures answer 400. */
  params?: P;
  /** One line for the API reference (`/api/docs`). */
  summary?: string;
  /** Default `'signed-in'`: a route is closed unless it says otherwise. */
  auth?: RouteAuth;
  /**
   * Also hand the handler the body's exact bytes (`rawBody`), for checking a signature over them (webhooks). The
   * body must still be JSON; `body` is then its parsed value.
   */
  rawBody?: boolean;
}

type Parsed<T extends z.ZodType | undefined, Fallback> = T extends z.ZodType ? z.output<T> : Fallback;

export interface RouteContext<S extends SchemaShape, O extends RouteOptions> {
  /** Who is asking (anonymous, a user or an admin), from the bearer token like every other route. */
  caller: Caller;
  body: Parsed<O['body'], unknown>;
  query: Parsed<O['query'], Record<string, unknown>>;
  params: Parsed<O['params'], Record<string, string>>;
  /** The body's exact bytes, when the route asked for `rawBody` (else an empty buffer). */
  rawBody: Buffer;
  /** The records service acting as `caller`; `records.asAdmin()` to pass every rule on purpose. */
  records: CausewayRecords<S>;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * What the handler gives back is the answer: a value is sent as JSON (200 unless `reply.code` said otherwise),
 * `undefined` is a 204, unless the handler sent the reply itself. A thrown `CausewayError` becomes its problem; any
 * other exception a 500 problem, logged with the request id.
 */
export type RouteHandler<S extends SchemaShape, O extends RouteOptions> = (context: RouteContext<S, O>) => unknown;

/** The routes half of the `Extender` (issue 19). */
export interface Routes<S extends SchemaShape = AnySchema> {
  /**
   * Adds an HTTP route under `/api/custom/`. Throws at once (so the server does not start) for a path outside it,
   * an unknown method or a route already added.
   *
   * @example
   * causeway.route('POST', '/api/custom/checkout', { body: z.object({ plan: z.enum(['pro', 'team']) }) },
   *   async ({ caller, body, records }) => records.create('orders', { plan: body.plan }));
   */
  route<O extends RouteOptions>(method: CustomRouteMethod, path: string, options: O, handler: RouteHandler<S, O>): void;
}

/** A route as registered, before it is served. */
export interface CustomRoute {
  method: CustomRouteMethod;
  path: string;
  options: RouteOptions;
  handler: RouteHandler<SchemaShape, RouteOptions>;
}

/** `/api/custom/` then segments of unreserved characters or `:name` parameters; no wildcards, no dot segments. */
const pathPattern = /^\/api\/custom(?:\/(?::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9_~-][A-Za-z0-9._~-]*))+$/;

/** Collects routes and refuses, with a message saying what to do, any that could not be served as meant. */
export class RouteRegistry {
  private readonly byKey = new Map<string, CustomRoute>();

  add(method: string, path: string, options: RouteOptions, handler: CustomRoute['handler']): void {
    const upper = String(method).toUpperCase();
    if (!(customRouteMethods as readonly string[]).includes(upper)) {
      throw new Error(`Custom route ${method} ${path}: the method must be one of ${customRouteMethods.join(', ')}.`);
    }
    if (!path.startsWith(customRoutePrefix)) {
      throw new Error(`Custom route ${upper} ${path}: custom routes must be under ${customRoutePrefix} (e.g. ${customRoutePrefix}${path.replace(/^\/+/, '') || 'checkout'}), so they never clash with Causeway's own.`);
    }
    if (!pathPattern.test(path) || path.split('/').some((segment) => segment === '.' || segment === '..')) {
      throw new Error(`Custom route ${upper} ${path}: each path segment must be letters, digits, '-', '_', '.', '~' or a ':name' parameter (no wildcards, no empty or dot segments).`);
    }
    const key = `${upper} ${path.replace(/:[^/]+/g, ':')}`;
    if (this.byKey.has(key)) throw new Error(`Custom route ${upper} ${path} is added twice.`);
    if (options.auth !== undefined && !['anyone', 'signed-in', 'admin'].includes(options.auth)) {
      throw new Error(`Custom route ${upper} ${path}: auth must be 'anyone', 'signed-in' or 'admin'.`);
    }
    this.byKey.set(key, { method: upper as CustomRouteMethod, path, options, handler });
  }

  list(): CustomRoute[] {
    return [...this.byKey.values()];
  }
}
