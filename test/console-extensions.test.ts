import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExtension } from '../packages/server/src/extend/extender.js';
import { browserAvailable, launchBrowser, screenshotPath } from './support/browser.js';
import { adminEmail, adminPassword, startTestServer, type TestServer } from './support/test-server.js';

let reports = 0;
const extension = defineExtension((causeway) => {
  causeway.route('POST', '/api/custom/checkout', { summary: 'Starts a checkout' }, () => ({ ok: true }));
  causeway.route('POST', '/api/custom/webhooks/payments', { auth: 'anyone' }, () => undefined);
  // Never due during the test: run from the console only.
  causeway.cron('monthly-report', '0 0 1 * *', () => {
    reports++;
  });
  causeway.cron('sync-invoices', '0 0 1 * *', () => {
    throw new Error('the invoicing service answered 503');
  });
  causeway.beforeCreate('*', () => undefined);
});

describe.skipIf(!browserAvailable)('the console’s extensions page in Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startTestServer({ extensions: [extension] });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(8000);
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('status of 4') && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('lists routes, jobs and hooks, runs a job now, and shows its runs and failures', async () => {
    await page.goto(`${t.url}/_/#/extensions`);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Extensions' }).waitFor();

    const routes = page.getByRole('table', { name: 'Routes' });
    await routes.locator('tbody tr', { hasText: '/api/custom/checkout' }).waitFor();
    expect(await routes.locator('tbody tr', { hasText: '/api/custom/checkout' }).locator('td').allTextContents()).toEqual(['POST', '/api/custom/checkout', 'signed-in', 'Starts a checkout']);
    expect(await routes.locator('tbody tr', { hasText: 'webhooks' }).locator('td').nth(2).textContent()).toBe('anyone');
    expect(await page.getByRole('table', { name: 'Jobs' }).locator('tbody tr').count()).toBe(2);
    // The hook registered next to the routes and jobs, with the extension it came from.
    const hooks = page.getByRole('table', { name: 'Hooks' });
    expect(await hooks.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['beforeCreate', '*', 'test extension 1']);
    await page.getByText('No job has run yet.').waitFor();

    await page.getByRole('button', { name: 'Run monthly-report now' }).click();
    await page.getByText('monthly-report ran successfully.').waitFor();
    expect(reports).toBe(1);
    await page.getByRole('button', { name: 'Run sync-invoices now' }).click();
    await page.getByText('sync-invoices failed: the invoicing service answered 503').waitFor();

    const runs = page.getByRole('table', { name: 'Recent runs' });
    await runs.locator('tbody tr').nth(1).waitFor();
    const outcomes = Object.fromEntries(await Promise.all((await runs.locator('tbody tr').all()).map(async (row) => [await row.locator('td').first().textContent(), await row.locator('td').nth(4).textContent()])));
    expect(outcomes).toEqual({ 'monthly-report': 'ok', 'sync-invoices': 'failed' });
    const errors = page.getByRole('table', { name: 'Recent errors' });
    expect(await errors.locator('tbody tr').count()).toBe(1);
    expect(await errors.locator('tbody tr td').nth(1).textContent()).toBe('job sync-invoices');
    expect(await errors.locator('tbody tr td').nth(2).textContent()).toBe('the invoicing service answered 503');
    await page.screenshot({ path: screenshotPath('console-extensions') });

    // The page is a bookmark: a reload comes back to it.
    await page.reload();
    await page.getByRole('heading', { name: 'Extensions' }).waitFor();
    expect(problems).toEqual([]);
  }, 60_000);
});
