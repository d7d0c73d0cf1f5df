import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The console this checkout's workspace built (`npm run build`), if any. */
function workspaceBuild(): string | undefined {
  try {
    return path.join(path.dirname(createRequire(import.meta.url).resolve('@causeway/console/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/**
 * Where the built console is: in a checkout, the console workspace's build (always the fresh one); in an installed
 * package, the copy `npm pack` bundled beside `dist/` (the console is not a package of its own on npm).
 */
function consoleDist(): string | undefined {
  const bundled = fileURLToPath(new URL('../../console-app/', import.meta.url));
  return [workspaceBuild(), bundled].find((dir) => dir !== undefined && existsSync(path.join(dir, 'index.html')));
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
