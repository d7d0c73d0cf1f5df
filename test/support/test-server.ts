import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type CausewayServer } from '../../packages/server/src/app.js';
import { loadConfig } from '../../packages/server/src/config/config.js';

/** Response bodies are checked by shape in assertions; a loose type keeps those assertions readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface TestResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/** A real Causeway on a fresh SQLite file in a temporary directory, listening on a random port. */
export interface TestServer {
  server: CausewayServer;
  url: string;
  dataDir: string;
  request<T = Json>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  /** Closes the server; `keepData` leaves the directory for a restart test. */
  stop(keepData?: boolean): Promise<void>;
}

export async function startTestServer(options: { dataDir?: string; bodyLimit?: number } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'causeway-test-'));
  const config = loadConfig({ dataDir, port: 0, logLevel: 'silent', ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}) }, {});
  const server = await createServer({ config });
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    server,
    url,
    dataDir,
    async request(method, pathname, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const response = await fetch(url + pathname, init);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Not JSON (an HTML page): keep the text.
      }
      return { status: response.status, headers: response.headers, body: parsed as Json };
    },
    async stop(keepData = false) {
      await server.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
