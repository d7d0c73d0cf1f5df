import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from '../examples/todo/serve.mjs';
import { typescriptTypes } from '../packages/server/src/codegen/typescript-types.js';
import { browserAvailable, launchBrowser, screenshotPath } from './support/browser.js';

describe('the example app', () => {
  it('ships the types `causeway types` generates for its collection', async () => {
    const { normalizeTodos } = await import('./support/example-schema.js');
    expect(readFileSync('examples/todo/src/schema.ts', 'utf8')).toBe(typescriptTypes([normalizeTodos()]));
  });
});

describe.skipIf(!browserAvailable)('the example app in two Chromium pages', () => {
  let example: RunningExample;
  let browser: Browser;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-example-'));

  beforeAll(async () => {
    await build({ root: path.resolve('examples/todo'), logLevel: 'silent' });
    example = await startExample({ dataDir, apiPort: 0, appPort: 0, logLevel: 'silent' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await example?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${example.appUrl}?api=${encodeURIComponent(example.api)}`);
    await page.waitForSelector('#status:has-text("Nothing to do.")');
    return { page, problems };
  }

  it('shows a change made in one page in the other, without reload', async () => {
    const first = await open();
    const second = await open();
    await first.page.fill('#title', 'Buy milk');
    await first.page.press('#title', 'Enter');
    await second.page.waitForSelector('li:has-text("Buy milk")', { timeout: 5000 });
    await second.page.getByLabel('Done: Buy milk').check();
    await first.page.waitForSelector('li.done:has-text("Buy milk")', { timeout: 5000 });
    await first.page.screenshot({ path: screenshotPath('example-first-page') });
    await second.page.screenshot({ path: screenshotPath('example-second-page') });
    await first.page.getByLabel('Delete Buy milk').click();
    await second.page.waitForSelector('#status:has-text("Nothing to do.")', { timeout: 5000 });
    expect([...first.problems, ...second.problems]).toEqual([]);
  });
});
