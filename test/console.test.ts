import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, screenshotPath } from './support/browser.js';
import { startTestServer, type TestServer } from './support/test-server.js';

describe.skipIf(!browserAvailable)('the admin console in Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const email = 'owner@example.com';
  const password = 'console admin passphrase';

  beforeAll(async () => {
    t = await startTestServer({ admin: false });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('status of 4') && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('creates the first admin, designs a collection, edits records live, and shows the server’s errors', async () => {
    const started = Date.now();
    await page.goto(`${t.url}/_/`);
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    const firstLoadMs = Date.now() - started;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByRole('navigation', { name: 'Collections' }).waitFor();
    await page.screenshot({ path: screenshotPath('console-1-first-run-done') });

    // A collection with several field types.
    await page.getByRole('button', { name: 'New collection' }).click();
    await page.getByLabel('Name', { exact: true }).fill('books');
    const fields: [string, string, boolean, string?][] = [['title', 'text', true], ['pages', 'number', false], ['genre', 'select', false, 'fiction, science'], ['read', 'bool', false]];
    for (const [i, [name, type, required, values]] of fields.entries()) {
      await page.getByRole('button', { name: 'Add field' }).click();
      await page.getByLabel(`Field ${i + 1} name`).fill(name);
      await page.getByLabel(`Field ${i + 1} type`).selectOption(type);
      if (required) await page.getByLabel(`Field ${i + 1} required`).check();
      if (values) await page.getByLabel(`Field ${i + 1} values`).fill(values);
    }
    const pagesRow = page.locator('.fields tbody tr').nth(1);
    await pagesRow.getByText('More options').click();
    await pagesRow.getByLabel('integer').check();
    await pagesRow.getByLabel('Field 2 max').fill('10000');
    for (const rule of ['listRule', 'viewRule']) await page.locator('.rule').filter({ hasText: rule }).getByLabel('admins only').uncheck();
    await page.getByRole('button', { name: 'Save collection' }).click();
    await page.getByRole('heading', { name: 'books' }).waitFor();

    // A record with a validation error, then fixed.
    await page.getByRole('button', { name: 'New record' }).click();
    await page.getByLabel('pages').fill('many');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('.field-error').first().waitFor();
    const messages = await page.locator('.field-error').allTextContents();
    expect(messages.join(' ')).toContain('is required');
    await page.screenshot({ path: screenshotPath('console-2-validation') });
    await page.getByLabel('title *').fill('Dune');
    await page.getByLabel('pages').fill('412');
    await page.getByLabel('genre').selectOption('fiction');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('tbody tr', { hasText: 'Dune' }).waitFor();

    const stored = (await t.server.collections.get('books')).fields.find((f) => f.name === 'pages');
    expect(stored).toMatchObject({ type: 'number', integer: true, max: 10000 });

    // Another client writes: the grid shows it without a reload.
    const admin = await t.server.auth.signIn('_admins', email, password);
    await t.request('POST', '/api/collections/books/records', { title: 'Cosmos', pages: 365, genre: 'science' }, { authorization: `Bearer ${admin.token}` });
    await page.locator('tbody tr', { hasText: 'Cosmos' }).waitFor({ timeout: 1000 });
    await page.screenshot({ path: screenshotPath('console-3-live') });

    // Edit, filter and sort.
    await page.locator('tbody tr', { hasText: 'Dune' }).getByRole('button', { name: /^Edit/ }).click();
    await page.getByLabel('title *').fill('Dune Messiah');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('tbody tr', { hasText: 'Dune Messiah' }).waitFor();
    await page.getByLabel('Filter').fill('pages > 400');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Filter').fill('pages >');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#filter-error').waitFor();
    expect(await page.locator('#filter-error').textContent()).toContain('character');
    await page.getByLabel('Filter').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: /^pages/ }).click();
    await expect.poll(async () => (await page.locator('tbody tr td:nth-child(2)').allTextContents()).join(',')).toBe('Cosmos,Dune Messiah');
    await page.screenshot({ path: screenshotPath('console-4-sorted') });

    // A rule the server rejects shows its message; delete asks first.
    await page.getByRole('button', { name: 'Edit collection books' }).click();
    await page.getByLabel('listRule').fill('nope = 1');
    await page.getByRole('button', { name: 'Save collection' }).click();
    await page.locator('.rule .field-error').waitFor();
    expect(await page.locator('.rule .field-error').textContent()).toContain("unknown field 'nope'");
    await page.screenshot({ path: screenshotPath('console-5-rule-error') });
    await page.getByRole('button', { name: 'books', exact: true }).click();
    await page.locator('tbody tr', { hasText: 'Cosmos' }).getByRole('button', { name: /^Delete/ }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);

    // Settings: token lifetimes and allowed origins, validated by the server.
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Allowed origins (comma-separated; * for any)').fill('https://app.example.com, nonsense');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.field-error').first().waitFor();
    await page.getByLabel('Allowed origins (comma-separated; * for any)').fill('https://app.example.com');
    await page.getByLabel('Access token lifetime (seconds)').fill('600');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved').waitFor();
    expect((await t.request('GET', '/api/settings', undefined, { authorization: `Bearer ${admin.token}` })).body).toMatchObject({ accessTokenTtl: 600, allowedOrigins: ['https://app.example.com'] });
    await page.screenshot({ path: screenshotPath('console-6-settings') });

    // A narrow window stacks the navigation above the content and keeps everything reachable.
    await page.setViewportSize({ width: 420, height: 800 });
    await page.getByRole('button', { name: 'books', exact: true }).click();
    await page.locator('tbody tr', { hasText: 'Dune Messiah' }).waitFor();
    expect(await page.getByRole('button', { name: 'New record' }).isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('console-7-narrow'), fullPage: true });

    expect(problems).toEqual([]);
    expect(firstLoadMs).toBeLessThan(5000);
  });

  it('manages admins: adds one, signs it out, deletes it, and never offers to delete the last', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Admins' }).click();
    await page.getByRole('heading', { name: 'Admins' }).waitFor();
    expect(await page.getByRole('button', { name: `Delete admin ${email}` }).isDisabled()).toBe(true);
    const form = page.getByRole('form', { name: 'Add an admin' });
    await form.getByLabel('Email').fill('helper@example.com');
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Add admin' }).click();
    await page.locator('.field-error').first().waitFor();
    await form.getByLabel('Password').fill('a helper admin passphrase');
    await form.getByRole('button', { name: 'Add admin' }).click();
    await page.getByRole('cell', { name: 'helper@example.com', exact: true }).waitFor();
    const helper = await t.server.auth.signIn('_admins', 'helper@example.com', 'a helper admin passphrase');
    await page.getByRole('button', { name: 'Sign out every session of helper@example.com' }).click();
    await page.getByText('Every session of helper@example.com ended.').waitFor();
    expect((await t.request('GET', '/api/admins/auth/me', undefined, { authorization: `Bearer ${helper.token}` })).status).toBe(401);
    await page.screenshot({ path: screenshotPath('console-8-admins') });
    await page.getByRole('button', { name: 'Delete admin helper@example.com' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'helper@example.com', exact: true }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
