// Starts the example: a Causeway on ./examples/todo/.data (with the `todos` collection) and a static server for
// the built app. Usage (from the repository root): npm run example
import { readFileSync, existsSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '../../packages/server/dist/app.js';
import { loadConfig } from '../../packages/server/dist/config/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** Starts Causeway and the app; returns their URLs and a stop function (the browser test uses it too). */
export async function startExample({ dataDir = path.join(here, '.data'), apiPort = 8090, appPort = 5173, logLevel = 'warn' } = {}) {
  const causeway = await createServer({ config: loadConfig({ dataDir, port: apiPort, logLevel }, process.env) });
  if (!causeway.schema.collection('todos')) await causeway.collections.create(JSON.parse(readFileSync(path.join(here, 'todos-collection.json'), 'utf8')));
  const api = await causeway.app.listen({ host: '127.0.0.1', port: apiPort });
  const dist = path.join(here, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error('Build the app first: npx vite build examples/todo');
  const app = createHttpServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://x').pathname;
    const file = path.join(dist, pathname === '/' ? 'index.html' : path.normalize(pathname));
    if (!file.startsWith(dist) || !existsSync(file)) return void response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolve) => app.listen(appPort, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${app.address().port}/`;
  return {
    api,
    appUrl,
    async stop() {
      await new Promise((resolve) => app.close(resolve));
      await causeway.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { api, appUrl } = await startExample();
  console.log(`Causeway: ${api}\nShared todos: ${appUrl}?api=${encodeURIComponent(api)} (open it in two tabs)`);
}
