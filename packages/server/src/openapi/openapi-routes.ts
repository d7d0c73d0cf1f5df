import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { SchemaRegistry } from '@causeway/core';
import { buildOpenApi } from './build-openapi.js';
import type { OpenApiDocument } from './openapi-types.js';
import type { CustomRoute } from '../extend/routes.js';

const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const docsPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Causeway API reference</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`;

// In a file of its own so the page needs no inline script and the CSP can forbid them.
const initScript = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

const docsCsp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** `/api/openapi.json` (rebuilt after each schema change, cached until the next) and the `/api/docs` page. */
export const openapiRoutes: FastifyPluginAsync<{ schema: SchemaRegistry; version: string; customRoutes?: readonly CustomRoute[] }> = async (app, { schema, version, customRoutes = [] }) => {
  let document: OpenApiDocument | undefined;
  const dispose = schema.onChange(() => {
    document = undefined;
  });
  app.addHook('onClose', async () => {
    dispose();
  });

  app.get('/api/openapi.json', async () => (document ??= buildOpenApi(schema.list(), { version, customRoutes })));

  app.get('/api/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', docsCsp).send(docsPage));
  app.get('/api/docs/init.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(initScript));
  await app.register(fastifyStatic, {
    root: swaggerUiDir,
    prefix: '/api/docs/assets/',
    decorateReply: false,
    allowedPath: (pathname) => /^\/swagger-ui(-bundle\.js|\.css)$/.test(pathname),
  });
};
