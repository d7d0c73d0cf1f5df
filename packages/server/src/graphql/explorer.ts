import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** The explorer's files, from the installed packages: nothing comes from a CDN. */
const assets: Record<string, { file: string; type: string }> = {
  'react.js': { file: path.join(packageDir('react'), 'umd/react.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'react-dom.js': { file: path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'graphiql.js': { file: path.join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript; charset=utf-8' },
  'graphiql.css': { file: path.join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
};

const base = '/api/graphql/explorer';

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Causeway GraphQL explorer</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="${base}/graphiql.css">
  <style>body { margin: 0; height: 100vh; } #explorer { height: 100vh; }</style>
</head>
<body>
  <div id="explorer">Loading…</div>
  <script src="${base}/react.js"></script>
  <script src="${base}/react-dom.js"></script>
  <script src="${base}/graphiql.js"></script>
  <script src="${base}/start.js"></script>
</body>
</html>`;

// A file of its own, so the CSP can forbid inline scripts. Subscriptions go over graphql-ws on the same path.
const start = `const url = new URL('/api/graphql', location.href).href;
const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl: url.replace(/^http/, 'ws') });
ReactDOM.createRoot(document.getElementById('explorer')).render(React.createElement(GraphiQL, { fetcher }));`;

const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** A browser asking for the GraphQL endpoint itself (no query) gets the explorer. */
export function wantsExplorer(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown> | undefined;
  return request.method === 'GET' && !query?.query && (request.headers.accept ?? '').includes('text/html');
}

/** GraphiQL, served from node_modules at /api/graphql/explorer. */
export function explorerRoutes(app: FastifyInstance): { page: string; csp: string } {
  const loaded = new Map<string, Buffer>();
  app.get<{ Params: { file: string } }>(`${base}/:file`, async (request, reply) => {
    if (request.params.file === 'start.js') return reply.type('text/javascript; charset=utf-8').send(start);
    const asset = assets[request.params.file];
    if (!asset) return reply.callNotFound();
    let body = loaded.get(request.params.file);
    if (!body) loaded.set(request.params.file, (body = readFileSync(asset.file)));
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(body);
  });
  return { page, csp };
}
