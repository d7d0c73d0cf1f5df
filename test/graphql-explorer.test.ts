import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, screenshotPath } from './support/browser.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
let browser: Browser;

describe.skipIf(!browserAvailable)('the GraphQL explorer in Chromium', () => {
  beforeAll(async () => {
    t = await startTestServer();
    await t.request('POST', '/api/collections', { name: 'posts', fields: [{ name: 'title', type: 'text' }], listRule: '', viewRule: '' });
    await t.request('POST', '/api/collections/posts/records', { title: 'from the explorer' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('loads without a network beyond the server, and runs a query', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(t.url) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) problems.push(`outside request: ${request.url()}`);
    });
    await page.goto(`${t.url}/api/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 15_000 });
    // CodeMirror closes brackets as one types, so the query is set through its API.
    await page.evaluate(() => {
      const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as { CodeMirror: { setValue(text: string): void } };
      editor.CodeMirror.setValue('{ posts { edges { node { title } } } }');
    });
    await page.locator('.graphiql-execute-button').click();
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('from the explorer'), undefined, { timeout: 15_000 });
    await page.screenshot({ path: screenshotPath('graphql-explorer') });
    expect(problems).toEqual([]);
  });
});
