import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type CausewayServer } from '../../packages/server/src/app.js';
import { loadConfig } from '../../packages/server/src/config/config.js';
import type { Extension } from '../../packages/server/src/extend/extender.js';
import type { SchemaShape } from '../../packages/server/src/extend/schema-types.js';
import { dropTestDatabase, testDatabaseFlags } from './test-database.js';

/** Response bodies are checked by shape in assertions; a loose type keeps those assertions readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface TestResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A real Causeway listening on a random port, on a fresh SQLite file in a temporary directory, or in the `postgres`
 * test project on a fresh PostgreSQL schema named after that directory.
 */
export interface TestServer {
  server: CausewayServer;
  url: string;
  dataDir: string;
  /** Access token of the admin every test server starts with (admin@example.com / adminPassword). */
  adminToken: string;
  /**
   * Sends a request as the admin, unless `headers.authorization` says otherwise (`''`: anonymous).
   */
  request<T = Json>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  /** Closes the server; `keepData` leaves the directory for a restart test. */
  stop(keepData?: boolean): Promise<void>;
}

export const adminEmail = 'admin@example.com';
export const adminPassword = 'correct horse battery staple';

export interface TestServerOptions {
  dataDir?: string;
  /** Extra configuration, as flags. */
  config?: Record<string, unknown>;
  /** Whether to create the admin (default true); `adminToken` is '' without one. */
  admin?: boolean;
  /** Extensions (custom routes, jobs) to load, as `createCauseway` and a hooks directory do. */
  extensions?: readonly Extension<SchemaShape>[];
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'causeway-test-'));
  // The lowest scrypt cost keeps hashing out of the tests' time; the bench measures the real cost. Likewise SQLite
  // syncs at checkpoints, not at every commit: no test here cuts the power, and an fsync per commit on a shared CI
  // disk costs minutes. The default (FULL) runs in test/crash-durability.test.ts, whose processes use it.
  const config = loadConfig({ dataDir, port: 0, logLevel: process.env.CAUSEWAY_TEST_LOG_LEVEL ?? 'silent', passwordCost: 10, authRateLimit: 1000, rateLimit: 0, sqliteSynchronous: 'normal', ...testDatabaseFlags(dataDir), ...options.config }, {});
  const server = await createServer({ config, ...(options.extensions ? { extensions: options.extensions.map((extension, index) => ({ extension, source: `test extension ${index + 1}` })) } : {}) });
  const url = await server.app.listen({ host: '127.0.0.1', port: config.port });
  let adminToken = '';
  if (options.admin !== false) {
    if (!(await server.auth.hasAdmin())) await server.auth.createAdmin(adminEmail, adminPassword);
    adminToken = (await server.auth.signIn('_admins', adminEmail, adminPassword)).token;
  }
  return {
    server,
    url,
    dataDir,
    adminToken,
    async request(method, pathname, body, headers = {}) {
      const { authorization = adminToken ? `Bearer ${adminToken}` : '', ...rest } = headers;
      const init: RequestInit = { method, headers: authorization === '' ? rest : { ...rest, authorization } };
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
      if (keepData) return;
      rmSync(dataDir, { recursive: true, force: true });
      await dropTestDatabase(dataDir);
    },
  };
}
