import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Headers a script on another origin may read from a response. */
const exposedHeaders = 'etag, location, x-request-id, retry-after';
/** @fastify/cors would allow only GET, HEAD and POST; updates and deletes come from other origins too. */
const allowedMethods = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const preflightMaxAge = '600';

/**
 * CORS for every request, as one step of the request's first hook (see `request-start.ts`) rather than a plugin's
 * hook of its own: the headers of what @fastify/cors did with a per-request origin check, without its per-request
 * option merging and callbacks. `allowed` is asked per request (the console can change the list while the server
 * runs). A request without an Origin header is answered as one from an allowed origin, without Allow-Origin.
 */
export class Cors {
  constructor(private readonly allowed: (origin: string) => boolean) {}

  /**
   * Adds the CORS headers to `reply`; answers a preflight (OPTIONS with an allowed Origin) itself. Returns whether
   * it answered, in which case the request goes no further.
   */
  apply(request: FastifyRequest, reply: FastifyReply): boolean {
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin !== undefined && !this.allowed(origin)) return false;
    if (origin) reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', exposedHeaders);
    if (request.raw.method !== 'OPTIONS') return false;
    const method = request.headers['access-control-request-method'];
    if (!origin || !method) {
      // Made a problem+json 400 by the safety net in problem-bodies.ts, as @fastify/cors's answer was.
      reply.code(400).type('text/plain').send('Invalid Preflight Request');
      return true;
    }
    reply.header('access-control-allow-methods', allowedMethods);
    reply.header('vary', 'Origin, Access-Control-Request-Headers');
    const requestHeaders = request.headers['access-control-request-headers'];
    if (requestHeaders !== undefined) reply.header('access-control-allow-headers', requestHeaders);
    reply.header('access-control-max-age', preflightMaxAge);
    reply.code(204).header('content-length', '0').send();
    return true;
  }

  /**
   * Routes OPTIONS on every path, so a preflight reaches the first hook wherever it is sent; one that hook did not
   * answer (an origin not allowed) is a 404 like any other unknown route.
   */
  route(app: FastifyInstance): void {
    app.options('*', (_request, reply) => reply.callNotFound());
  }
}
