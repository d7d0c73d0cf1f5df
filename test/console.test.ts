import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, screenshotPath } from './support/browser.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import { readMail } from './support/accounts.js';

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
    // A missing element fails at its step, well inside the test's time limit.
    page.setDefaultTimeout(8000);
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
    await expect.poll(async () => (await page.locator('tbody tr td:nth-child(3)').allTextContents()).join(',')).toBe('Cosmos,Dune Messiah');
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

    // Mail links: per auth collection, validated by the server, and stored.
    await page.getByLabel('users Verification link').fill('https://app.example.com/verify');
    await page.getByRole('button', { name: 'Save account mail' }).click();
    await page.locator('.field-error', { hasText: 'must hold {{token}}' }).waitFor();
    await page.getByLabel('users Verification link').fill('https://app.example.com/verify?token={{token}}');
    // Mail templates start from the default; an unknown variable is refused by the server, shown inline.
    await page.getByText('Verification mail (default)').first().click();
    await page.getByLabel('users Verification mail subject').fill('Welcome, {{name}}');
    await page.getByRole('button', { name: 'Save account mail' }).click();
    await page.locator('.field-error', { hasText: 'unknown variable {{name}}' }).waitFor();
    await page.getByLabel('users Verification mail subject').fill('Welcome to {{collection}}');
    await page.getByRole('button', { name: 'Save account mail' }).click();
    await page.getByText('Saved: the next mail uses these links and templates.').waitFor();
    const accountMail = (await t.request('GET', '/api/settings', undefined, { authorization: `Bearer ${admin.token}` })).body.accountMail;
    expect(accountMail.users).toMatchObject({ verifyEmailUrl: 'https://app.example.com/verify?token={{token}}', verificationMail: { subject: 'Welcome to {{collection}}', text: expect.stringContaining('{{link}}') } });
    // A test mail goes out as configured now.
    await page.getByLabel('Test mail address').fill('console-test@example.com');
    await page.getByRole('button', { name: 'Send test mail' }).click();
    await page.getByText('Test mail sent to console-test@example.com.').waitFor();
    expect((await readMail(t)).filter((m) => m.to === 'console-test@example.com').map((m) => m.subject)).toEqual(['Welcome to users']);

    // A narrow window stacks the navigation above the content and keeps everything reachable.
    await page.setViewportSize({ width: 420, height: 800 });
    await page.getByRole('button', { name: 'books', exact: true }).click();
    await page.locator('tbody tr', { hasText: 'Dune Messiah' }).waitFor();
    expect(await page.getByRole('button', { name: 'New record' }).isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('console-7-narrow'), fullPage: true });

    expect(problems).toEqual([]);
    expect(firstLoadMs).toBeLessThan(5000);
  }, 60_000);

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
    await page.screenshot({ path: screenshotPath('console-admins') });
    await page.getByRole('button', { name: 'Delete admin helper@example.com' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'helper@example.com', exact: true }).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('keeps its place in the URL, labels relations, edits defaults and indexes, locks account fields, links the API references, lists requests, and fits a phone', async () => {
    // A reload, a sign-in and a live query under a loaded machine take more than expect.poll's default second.
    const soon = { timeout: 8000 };
    await page.setViewportSize({ width: 1280, height: 800 });
    // Independent of the test above: an admin, and the console signed in as it (as after the sign-in screen).
    if (!(await t.server.auth.hasAdmin())) await t.server.auth.createAdmin(email, password);
    const session = await t.server.auth.signIn('_admins', email, password);
    const admin = { authorization: `Bearer ${session.token}` };
    await page.goto(`${t.url}/_/`);
    await page.evaluate((value) => localStorage.setItem('causeway.console', value), JSON.stringify({ token: session.token, refreshToken: session.refreshToken, realm: '_admins' }));
    const api = async (method: string, url: string, body?: unknown) => {
      const response = await t.request(method, url, body, admin);
      expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
      return response.body;
    };
    await api('POST', '/api/collections', { name: 'authors', fields: [{ name: 'born', type: 'number' }, { name: 'name', type: 'text' }] });
    await api('POST', '/api/collections', { name: 'posts', fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collection: 'authors' }, { name: 'body', type: 'text' }] });
    const ursula = await api('POST', '/api/collections/authors/records', { name: 'Ursula K. Le Guin', born: 1929 });
    const post = await api('POST', '/api/collections/posts/records', { title: 'Earthsea', author: ursula.id, body: 'A wizard of Earthsea. '.repeat(20) });

    // A link opens the screen it names; the relation cell shows the author's name (its first text field), not its id.
    await page.goto(`${t.url}/_/#/collections/posts`);
    await page.reload();
    await page.getByRole('heading', { name: 'posts', exact: true }).waitFor();
    const row = page.locator('tbody tr', { hasText: 'Earthsea' });
    await expect.poll(() => row.locator('td.relation').textContent(), soon).toBe('Ursula K. Le Guin');
    expect(await row.locator('td.relation').getAttribute('title')).toBe(ursula.id);
    // Another field of the related record can be chosen; this browser remembers the choice.
    await page.getByLabel('Field of authors to show').selectOption('born');
    await expect.poll(() => row.locator('td.relation').textContent(), soon).toBe('1929');
    await page.reload();
    await expect.poll(() => row.locator('td.relation').textContent(), soon).toBe('1929');
    await page.getByLabel('Field of authors to show').selectOption('name');
    await expect.poll(() => row.locator('td.relation').textContent(), soon).toBe('Ursula K. Le Guin');
    await page.screenshot({ path: screenshotPath('console-8-relation-labels') });

    // The record editor is in the URL: a reload returns to it, back and forward move between it and the grid.
    await row.getByRole('button', { name: /^Edit/ }).click();
    await page.getByRole('form', { name: `Edit record ${post.id}` }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/collections/posts/records/${post.id}`);
    // The editor names the related record beside its id.
    await page.getByRole('form').locator('.hint', { hasText: 'Ursula K. Le Guin' }).waitFor();
    await page.reload();
    await page.getByRole('form', { name: `Edit record ${post.id}` }).waitFor();
    await page.goBack();
    await page.getByRole('form', { name: `Edit record ${post.id}` }).waitFor({ state: 'detached' });
    expect(new URL(page.url()).hash).toBe('#/collections/posts');
    await page.goForward();
    await page.getByRole('form', { name: `Edit record ${post.id}` }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    // Sort and filter are kept too.
    await page.getByRole('button', { name: /^title/ }).click();
    await page.reload();
    await page.locator('th[aria-sort="ascending"]', { hasText: 'title' }).waitFor();

    // The auth collection's account fields are shown as fixed, with nothing to remove.
    await page.getByRole('button', { name: 'Edit collection users' }).click();
    await page.getByRole('heading', { name: 'Edit users' }).waitFor();
    expect(await page.locator('.fields tr.locked').allTextContents()).toEqual([expect.stringContaining('email'), expect.stringContaining('verified'), expect.stringContaining('passwordHash')]);
    for (const name of ['email', 'verified', 'passwordHash']) expect(await page.getByRole('button', { name: `Remove field ${name}` }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('console-9-account-fields') });

    // Field visibility: the email is the account's own by default; an admin may open it, or keep a field for admins.
    expect(await page.getByLabel('Field 1 visibility').inputValue()).toBe('owner');
    await page.getByLabel('Field 1 visibility').selectOption('everyone');
    const nameRow = page.locator('.fields tbody tr').nth(3);
    await nameRow.getByText('More options').click();
    expect(await nameRow.getByLabel('Field 4 visibility').inputValue()).toBe('everyone');
    await nameRow.getByLabel('Field 4 visibility').selectOption('admins');
    await page.getByRole('button', { name: 'Save collection' }).click();
    await page.getByRole('heading', { name: 'users', exact: true }).waitFor();
    const visibility = Object.fromEntries((await api('GET', '/api/collections/users')).fields.map((f: { name: string; visibility?: string }) => [f.name, f.visibility]));
    expect(visibility).toMatchObject({ email: 'everyone', name: 'admins' });

    // Defaults and indexes: set in the editor, stored by the server, shown again after a reload, removed again.
    await page.getByRole('button', { name: 'Edit collection posts' }).click();
    await page.getByRole('heading', { name: 'Edit posts' }).waitFor();
    const titleRow = page.locator('.fields tbody tr').nth(0);
    await titleRow.getByText('More options').click();
    await titleRow.getByLabel('Field 1 default').fill('Untitled');
    await page.getByRole('button', { name: 'Add index' }).click();
    // Typed key by key, as a person would: the comma must survive until the next field name.
    await page.getByLabel('Index 1 fields').pressSequentially('author, title');
    await page.getByLabel('Index 1 unique').check();
    await page.getByRole('button', { name: 'Add index' }).click();
    await page.getByLabel('Index 2 fields').fill('body');
    await page.getByRole('button', { name: 'Save collection' }).click();
    await page.getByRole('heading', { name: 'posts', exact: true }).waitFor();
    const stored = await api('GET', '/api/collections/posts');
    expect(stored.fields.find((f: { name: string }) => f.name === 'title')).toMatchObject({ default: 'Untitled' });
    expect(stored.indexes).toEqual([expect.objectContaining({ fields: ['author', 'title'], unique: true }), expect.objectContaining({ fields: ['body'] })]);
    expect((await api('POST', '/api/collections/posts/records', { body: 'no title' })).title).toBe('Untitled');
    await page.goto(`${t.url}/_/#/collections/posts/edit`);
    await page.reload();
    await page.getByRole('heading', { name: 'Edit posts' }).waitFor();
    expect(await page.getByLabel('Index 1 fields').inputValue()).toBe('author, title');
    await page.locator('.fields tbody tr').nth(0).getByText('More options').click();
    expect(await page.getByLabel('Field 1 default').inputValue()).toBe('Untitled');
    await page.getByRole('button', { name: 'Remove index 1' }).click();
    expect(await page.getByLabel('Index 1 fields').inputValue()).toBe('body');
    await page.getByRole('button', { name: 'Save collection' }).click();
    await page.getByRole('heading', { name: 'posts', exact: true }).waitFor();
    expect((await api('GET', '/api/collections/posts')).indexes).toEqual([expect.objectContaining({ fields: ['body'] })]);

    // The navigation links the API reference and the GraphQL explorer, both served.
    for (const [name, href] of [['API reference', '/api/docs'], ['GraphQL explorer', '/api/graphql']]) {
      expect(await page.getByRole('link', { name }).getAttribute('href')).toBe(href);
      const served = await page.request.get(`${t.url}${href}`, { headers: { accept: 'text/html' } });
      expect(served.status(), href).toBe(200);
    }

    // The logs view: a request just made is listed with its id; among errors, the 404 just made comes first.
    const health = await t.request('GET', '/api/health');
    const missing = await t.request('GET', '/api/no-such-route?token=secret');
    await page.getByRole('button', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await page.locator('tbody tr', { hasText: health.headers.get('x-request-id')! }).waitFor();
    await page.getByLabel('Show').selectOption('error');
    await expect.poll(() => page.locator('tbody tr').first().textContent(), soon).toContain(missing.headers.get('x-request-id')!);
    const firstError = await page.locator('tbody tr').first().locator('td').allTextContents();
    expect(firstError.slice(1, 4)).toEqual(['404', 'GET', '/api/no-such-route']);
    expect((await page.locator('tbody').textContent())!.includes('secret')).toBe(false);
    await page.reload();
    expect(await page.getByLabel('Show').inputValue()).toBe('error');
    await page.screenshot({ path: screenshotPath('console-10-logs') });

    // A phone: the row actions lead the grid on screen, and the record editor fits the width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/_/#/collections/posts`);
    const edit = page.locator('tbody tr', { hasText: 'Earthsea' }).getByRole('button', { name: /^Edit/ });
    await edit.waitFor();
    const box = (await edit.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    // Scrolled to its far right, the grid still shows the actions where they were.
    const grid = page.locator('.grid-wrap');
    expect(await grid.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await grid.evaluate((el) => (el.scrollLeft = el.scrollWidth));
    expect(await grid.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    expect((await edit.boundingBox())!.x).toBeCloseTo(box.x, 0);
    await edit.click();
    const form = page.getByRole('form', { name: `Edit record ${post.id}` });
    await form.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await form.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
    await form.scrollIntoViewIfNeeded();
    const shot = path.join(mkdtempSync(path.join(tmpdir(), 'causeway-console-phone-')), 'record-editor-390x844.png');
    await page.screenshot({ path: shot });
    await page.screenshot({ path: screenshotPath('console-11-phone-editor') });
    const png = readFileSync(shot);
    expect(png.length).toBeGreaterThan(1000);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    console.info(`phone screenshot kept at ${shot}`);
    // The collection editor, too: one card per field instead of a five-column table.
    await page.goto(`${t.url}/_/#/collections/posts/edit`);
    await page.getByRole('heading', { name: 'Edit posts' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: screenshotPath('console-12-phone-collection-editor'), fullPage: true });

    expect(problems).toEqual([]);
  }, 60_000);
  it('edits each type’s own options as the server’s field types describe them: a relation’s target and on-delete, a file’s size, types and protection', async () => {
    if (!(await t.server.auth.hasAdmin())) await t.server.auth.createAdmin(email, password);
    const session = await t.server.auth.signIn('_admins', email, password);
    expect((await t.request('POST', '/api/collections', { name: 'artists' }, { authorization: `Bearer ${session.token}` })).status).toBe(201);
    await page.goto(`${t.url}/_/`);
    await page.evaluate((value) => localStorage.setItem('causeway.console', value), JSON.stringify({ token: session.token, refreshToken: session.refreshToken, realm: '_admins' }));
    await page.goto(`${t.url}/_/#/new-collection`);
    await page.reload();
    await page.getByLabel('Name', { exact: true }).fill('albums');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Field 1 name').fill('owner');
    await page.getByLabel('Field 1 type').selectOption('relation');
    await page.getByLabel('Field 1 target').selectOption('artists');
    const ownerRow = page.locator('.fields tbody tr').nth(0);
    await ownerRow.getByText('More options').click();
    await ownerRow.getByLabel('Field 1 on delete').selectOption('cascade');
    // A relation has no default, a file no unique: the editor offers what the type's hints allow.
    expect(await ownerRow.getByLabel('Field 1 default').count()).toBe(0);
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Field 2 name').fill('cover');
    await page.getByLabel('Field 2 type').selectOption('file');
    const coverRow = page.locator('.fields tbody tr').nth(1);
    await coverRow.getByText('More options').click();
    await coverRow.getByLabel('Field 2 max size').fill('2');
    await coverRow.getByLabel('Field 2 types').fill('image/*, application/pdf');
    await coverRow.getByLabel('protected').check();
    expect(await coverRow.getByText('unique', { exact: true }).count()).toBe(0);
    expect(await coverRow.getByLabel('Field 2 max files').count()).toBe(0);
    await coverRow.getByText('multiple', { exact: true }).click();
    await coverRow.getByLabel('Field 2 max files').fill('3');
    await page.getByRole('button', { name: 'Save collection' }).click();
    await page.getByRole('heading', { name: 'albums' }).waitFor();
    const fields = (await t.server.collections.get('albums')).fields;
    expect(fields[0]).toMatchObject({ name: 'owner', type: 'relation', collection: 'artists', onDelete: 'cascade', multiple: false });
    expect(fields[1]).toMatchObject({ name: 'cover', type: 'file', maxSize: 2 * 1024 * 1024, mimeTypes: ['image/*', 'application/pdf'], protected: true, multiple: true, maxFiles: 3 });
    expect(problems).toEqual([]);
  });

  it('uploads files to a record (chosen or dropped), previews images, and removes them', async () => {
    if (!(await t.server.auth.hasAdmin())) await t.server.auth.createAdmin(email, password);
    const session = await t.server.auth.signIn('_admins', email, password);
    const admin = { authorization: `Bearer ${session.token}` };
    const created = await t.request('POST', '/api/collections', {
      name: 'gallery',
      fields: [{ name: 'caption', type: 'text' }, { name: 'photo', type: 'file', mimeTypes: ['image/*'], thumbs: ['100x100'], protected: true }, { name: 'papers', type: 'file', multiple: true }],
    }, admin);
    expect(created.status).toBe(201);
    await page.goto(`${t.url}/_/`);
    await page.evaluate((value) => localStorage.setItem('causeway.console', value), JSON.stringify({ token: session.token, refreshToken: session.refreshToken, realm: '_admins' }));
    await page.goto(`${t.url}/_/#/collections/gallery`);
    await page.reload();
    await page.getByRole('button', { name: 'New record' }).click();
    const { default: sharp } = await import('sharp');
    const image = await sharp({ create: { width: 300, height: 200, channels: 3, background: 'green' } }).png().toBuffer();
    await page.getByLabel('caption').fill('first');
    await page.getByLabel('Upload photo').setInputFiles({ name: 'green.png', mimeType: 'image/png', buffer: image });
    // A drop on the drop zone, as a browser delivers it.
    await page.locator('.drop-zone').nth(1).evaluate((zone) => {
      const data = new DataTransfer();
      data.items.add(new File(['dropped notes'], 'notes.txt', { type: 'text/plain' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await page.getByText('notes.txt').waitFor();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('tbody tr', { hasText: 'first' }).waitFor();
    const [record] = (await t.request('GET', '/api/collections/gallery/records', undefined, admin)).body.items;
    expect(record.photo).toMatch(/^green_[a-z0-9]{10}\.png$/);
    expect(record.papers).toHaveLength(1);

    await page.getByRole('button', { name: `Edit ${record.id}` }).click();
    const preview = page.locator('img.preview');
    await preview.waitFor();
    // A protected file, shown through a file token, as a 100x100 thumbnail.
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 8000 }).toBe(100);
    await page.screenshot({ path: screenshotPath('console-files') });
    await page.getByRole('button', { name: `Remove ${record.photo}` }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await t.request('GET', `/api/collections/gallery/records/${record.id}`, undefined, admin)).body.photo, { timeout: 8000 }).toBeNull();
    expect(problems).toEqual([]);
  });

  it('configures sign-in providers per auth collection, with a write-only client secret', async () => {
    const admin = { authorization: `Bearer ${(await t.server.auth.signIn('_admins', email, password)).token}` };
    await page.goto(`${t.url}/_/#/settings`);
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Sign-in providers' }) });
    await form.getByLabel('Provider name (in URLs)').fill('corp');
    await form.getByLabel('Issuer URL', { exact: true }).fill('http://insecure.example.com');
    await form.getByLabel('Client id').fill('console-app');
    await form.getByLabel('Client secret').fill('console-secret-never-shown');
    await form.getByLabel('Redirect URIs (one per line)').fill('https://app.example.com/auth/callback');
    await form.getByRole('button', { name: 'Save provider' }).click();
    // The server's per-field message, shown by the field.
    await form.locator('.field-error', { hasText: 'must be an https URL' }).waitFor();
    await form.getByLabel('Issuer URL', { exact: true }).fill('https://id.example.com');
    await form.getByRole('button', { name: 'Save provider' }).click();
    await form.getByText('Saved corp.').waitFor();
    // The secret field is empty again and the list says one is stored; the server never sent it back.
    expect(await form.getByLabel(/^Client secret/).inputValue()).toBe('');
    await form.getByText('secret stored').waitFor();
    const listed = (await t.request('GET', '/api/collections/users/oauth-providers', undefined, admin)).body;
    expect(listed).toEqual([expect.objectContaining({ name: 'corp', issuer: 'https://id.example.com', clientId: 'console-app', hasClientSecret: true, redirectUris: ['https://app.example.com/auth/callback'] })]);
    expect(JSON.stringify(listed)).not.toContain('console-secret-never-shown');
    expect(await page.content()).not.toContain('console-secret-never-shown');
    // A change without a new secret keeps the stored one; disabling hides it from apps.
    await form.getByLabel('Enabled').uncheck();
    await form.getByRole('button', { name: 'Save provider' }).click();
    await form.getByText('disabled, secret stored').waitFor();
    expect((await t.request('GET', '/api/collections/users/auth/oauth/providers', undefined, { authorization: '' })).body).toEqual([]);
    await page.screenshot({ path: screenshotPath('console-sign-in-providers') });
    await form.getByRole('button', { name: 'remove corp' }).click();
    await form.getByText('Removed corp.').waitFor();
    expect((await t.request('GET', '/api/collections/users/oauth-providers', undefined, admin)).body).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('sets up two-factor authentication for the signed-in admin, then asks for a code at sign-in', async () => {
    const signIn = async (target: Page) => {
      await target.goto(`${t.url}/_/`);
      await target.getByRole('heading', { name: 'Sign in' }).waitFor();
      await target.getByLabel('Email').fill(email);
      await target.getByLabel('Password').fill(password);
      await target.getByRole('button', { name: 'Sign in', exact: true }).click();
    };
    const own = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    own.setDefaultTimeout(8000);
    await signIn(own);
    await own.getByRole('button', { name: 'Admins' }).click();
    await own.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const totp = new TOTP({ secret: Secret.fromBase32((await own.getByLabel('Authenticator key').textContent())!) });
    await own.getByLabel('Code from the app').fill(totp.generate());
    await own.getByRole('button', { name: 'Turn on' }).click();
    await own.getByRole('region', { name: 'Recovery codes' }).waitFor();
    expect(await own.locator('.recovery-codes li').count()).toBe(10);
    await own.getByText('On for your account (10 recovery codes left).').waitFor();
    await own.screenshot({ path: screenshotPath('console-13-two-factor') });
    // Another browser: the password alone is not enough; the code (the next step's, as this one is spent) is.
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    other.setDefaultTimeout(8000);
    await signIn(other);
    await other.getByLabel('Authentication code').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await other.getByRole('button', { name: 'Sign in', exact: true }).click();
    await other.getByRole('button', { name: 'Admins' }).waitFor();
    // Off again, with the password.
    await own.getByLabel('Your password').fill(password);
    await own.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await own.getByText('Off for your account.').waitFor();
    await own.close();
    await other.close();
    expect(problems).toEqual([]);
  });

  it('makes an admin without a second factor set one up at sign-in once admins must use one', async () => {
    const owner = { authorization: `Bearer ${(await t.server.auth.signIn('_admins', email, password)).token}` };
    const newcomer = { email: 'newcomer@example.com', password: 'newcomer admin passphrase' };
    expect((await t.request('POST', '/api/admins', newcomer, owner)).status).toBe(201);
    await page.goto(`${t.url}/_/#/settings`);
    await page.getByLabel('Admins must use two-factor authentication').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved: the server applies').waitFor();
    expect((await t.request('GET', '/api/settings', undefined, owner)).body.requireAdminMfa).toBe(true);

    const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    fresh.setDefaultTimeout(8000);
    await fresh.goto(`${t.url}/_/`);
    await fresh.getByLabel('Email').fill(newcomer.email);
    await fresh.getByLabel('Password').fill(newcomer.password);
    await fresh.getByRole('button', { name: 'Sign in', exact: true }).click();
    const key = await fresh.getByLabel('Authenticator key').textContent();
    await fresh.getByText('Admins must use two-factor authentication').waitFor();
    await fresh.getByLabel('Authentication code').fill(new TOTP({ secret: Secret.fromBase32(key!) }).generate());
    await fresh.getByRole('button', { name: 'Sign in', exact: true }).click();
    await fresh.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
    expect(await fresh.getByRole('list', { name: 'Recovery codes' }).locator('li').count()).toBe(10);
    await fresh.screenshot({ path: screenshotPath('console-14-admin-mfa-required') });
    await fresh.getByRole('button', { name: 'Continue' }).click();
    await fresh.getByRole('button', { name: 'Admins' }).waitFor();
    await fresh.close();
    expect((await t.request('PATCH', '/api/settings', { requireAdminMfa: false }, owner)).status).toBe(200);
    expect(problems).toEqual([]);
  });
});
