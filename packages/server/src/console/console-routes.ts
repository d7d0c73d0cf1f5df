import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Where the built console is, if it was built (`npm run build`). */
function consoleDist(): string | undefined {
  try {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@causeway/console/package.json')), 'dist');
    return existsSync(path.join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The admin console at /_/: static files built once, no CDN, no network at run time. */
export async function consoleRoutes(app: FastifyInstance): Promise<boolean> {
  const root = consoleDist();
  if (!root) {
    app.log.warn('the admin console is not built (npm run build); /_/ is not served');
    return false;
  }
  app.get('/_', (_request, reply) => reply.redirect('/_/'));
  await app.register(
    async (scope) => {
      scope.addHook('onSend', async (_request, reply) => {
        reply.header('content-security-policy', csp);
      });
      await scope.register(fastifyStatic, { root, prefix: '/', decorateReply: true, index: ['index.html'], cacheControl: true, maxAge: '1h' });
      // Client-side routes all load the app.
      scope.setNotFoundHandler((_request, reply) => reply.sendFile('index.html'));
    },
    { prefix: '/_' },
  );
  return true;
}
