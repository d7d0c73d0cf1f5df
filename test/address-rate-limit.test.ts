import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { requestFrom } from './support/request-from.js';
import { serviceAvailable } from './support/services.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// The general limit per client address (CAUSEWAY_RATE_LIMIT): HTTP requests and WebSocket upgrades alike, by the
// address X-Forwarded-For gives only when it comes from a trusted proxy (CAUSEWAY_TRUST_PROXY), and shared by
// every instance through Redis when the deployment has one.
const redisAvailable = await serviceAvailable('Redis', '127.0.0.1', 6379);
const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

async function server(config: Record<string, unknown>, dataDir?: string): Promise<TestServer> {
  const t = await startTestServer({ config, admin: false, ...(dataDir ? { dataDir } : {}) });
  servers.push(t);
  return t;
}

/** A documentation address no other test uses, so counts shared through Redis never meet another run's. */
const someClient = () => `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

describe('the request limit per client address', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the limit, to that address only, upgrades included', async () => {
    const t = await server({ rateLimit: 5 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await requestFrom('127.0.0.21', t.url, 'GET', '/api/health')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const refused = await requestFrom('127.0.0.21', t.url, 'GET', '/api/health');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // X-Forwarded-For from an untrusted peer changes nothing.
    expect((await requestFrom('127.0.0.21', t.url, 'GET', '/api/health', undefined, { 'x-forwarded-for': someClient() })).status).toBe(429);
    expect((await requestFrom('127.0.0.22', t.url, 'GET', '/api/health')).status).toBe(200);
    const upgrade = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${t.url.replace('http', 'ws')}/api/realtime`, { localAddress: '127.0.0.21' });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => (socket.close(), resolve(101)));
      socket.on('error', () => undefined);
    });
    expect(upgrade).toBe(429);
  });

  it('counts the client X-Forwarded-For names when the request comes through a trusted proxy', async () => {
    const t = await server({ rateLimit: 3, trustProxy: '127.0.0.1' });
    const [ann, bob] = [someClient(), someClient()];
    const from = (client: string) => t.request('GET', '/api/health', undefined, { 'x-forwarded-for': client });
    expect([(await from(ann)).status, (await from(ann)).status, (await from(ann)).status, (await from(ann)).status]).toEqual([200, 200, 200, 429]);
    expect((await from(bob)).status).toBe(200);
  });

  it.skipIf(!redisAvailable)('holds a client to one limit across instances sharing Redis', async () => {
    const config = { rateLimit: 10, trustProxy: '127.0.0.1', redisUrl: 'redis://127.0.0.1:6379' };
    // Two instances of one deployment (the same database): Redis keys are per deployment.
    const a = await server(config);
    const b = await server(config, a.dataDir);
    const client = someClient();
    const from = (t: TestServer) => t.request('GET', '/api/health', undefined, { 'x-forwarded-for': client });
    for (let i = 0; i < 6; i++) expect([(await from(a)).status, (await from(b)).status]).toEqual([200, 200]);
    // Each instance adds its counts to Redis every second and reads back the others'.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect([(await from(a)).status, (await from(b)).status]).toEqual([429, 429]);
  });
});
