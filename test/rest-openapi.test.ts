import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorsDefinition, postsDefinition } from './support/fixtures.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

describe('the OpenAPI document', () => {
  it('follows the live schema and stays valid', async () => {
    const empty = await t.request('GET', '/api/openapi.json');
    expect(empty.status).toBe(200);
    expect(Object.keys(empty.body.paths)).not.toContain('/api/collections/posts/records');

    await t.request('POST', '/api/collections', authorsDefinition);
    await t.request('POST', '/api/collections', postsDefinition);
    const full = (await t.request('GET', '/api/openapi.json')).body;
    expect(Object.keys(full.paths)).toContain('/api/collections/posts/records');
    const result = await new Validator().validate(full);
    expect(result.errors ?? []).toEqual([]);

    await t.request('PATCH', '/api/collections/authors', { fields: [...(await t.request('GET', '/api/collections/authors')).body.fields, { name: 'bio', type: 'text' }] });
    const altered = (await t.request('GET', '/api/openapi.json')).body;
    expect(altered.components.schemas.authorsRecord.properties).toHaveProperty('bio');
  });

  it('describes what the server really answers', async () => {
    const created = await t.request('POST', '/api/collections/authors/records', { name: 'Doc' });
    const schema = (await t.request('GET', '/api/openapi.json')).body.components.schemas.authorsRecord;
    expect(Object.keys(created.body).sort()).toEqual(Object.keys(schema.properties).sort());
  });
});

describe('the API reference page', () => {
  it('serves Swagger UI from local files, with a strict content security policy', async () => {
    const page = await fetch(`${t.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['/api/docs/assets/swagger-ui-bundle.js', '/api/docs/assets/swagger-ui.css', '/api/docs/init.js']) {
      expect(html).toContain(asset);
      const response = await fetch(`${t.url}${asset}`);
      expect(response.status).toBe(200);
      expect((await response.text()).length).toBeGreaterThan(50);
    }
    expect((await fetch(`${t.url}/api/docs/assets/package.json`)).status).toBe(404);
  });
});
