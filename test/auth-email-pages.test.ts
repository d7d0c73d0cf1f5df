import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp } from './support/accounts.js';
import { browserAvailable, launchBrowser, screenshotPath } from './support/browser.js';
import { freePort } from './support/free-port.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './support/smtp-sink.js';
import { startTestServer, type TestServer } from './support/test-server.js';

/*
 * The pages account mail links to, end to end: a real SMTP server receives the mail, Chromium follows its link,
 * the page confirms the address or sets a new password through the public API, and the new password signs in.
 */
let smtp: SmtpSink;
let received: ReceivedMail[] = [];
let t: TestServer;
let browser: Browser;

/** The newest mail to `to` whose subject matches, decoded enough (quoted-printable) to read its link. */
async function mailTo(to: string, subject: RegExp, after = 0): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const mail = received.slice(after).filter((m) => m.to.includes(to) && subject.test(m.data)).at(-1);
    if (mail) return mail.data.replace(/=\r\n/g, '').replace(/=3D/g, '=');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

const linkIn = (mail: string, page: string) => new RegExp(`https?://\\S+/auth/${page}\\?\\S+`).exec(mail)?.[0] ?? '';

beforeAll(async () => {
  smtp = await startSmtpSink();
  received = smtp.received;
  const smtpPort = smtp.port;
  // The public URL is where the server really listens, so the mailed link opens in the browser as it is.
  const port = await freePort();
  t = await startTestServer({ config: { port, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, mailFrom: 'App <app@example.com>', publicUrl: `http://127.0.0.1:${port}` } });
  if (browserAvailable) browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await smtp?.close();
});

describe.skipIf(!browserAvailable)('account pages in Chromium, from real mail', () => {
  it('confirms an address from the verification mail, once', async () => {
    const account = await signUp(t, 'pat@example.com');
    const link = linkIn(await mailTo('pat@example.com', /Subject: Confirm your email address/), 'verify-email');
    expect(link.startsWith(`${t.url}/auth/verify-email?collection=users&token=`)).toBe(true);
    const page = await browser.newPage();
    const response = await page.goto(link);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response!.headers()['referrer-policy']).toBe('no-referrer');
    expect(response!.headers()['cache-control']).toBe('no-store');
    await page.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    // Nothing happens on load (mail scanners follow links): the account is confirmed only by the press.
    expect((await t.request('GET', `/api/collections/users/records/${account.id}`)).body.verified).toBe(false);
    // The token leaves the address bar once the page has it.
    expect(page.url()).not.toContain('token');
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('your email address is confirmed');
    expect((await t.request('GET', `/api/collections/users/records/${account.id}`)).body.verified).toBe(true);
    await page.screenshot({ path: screenshotPath('account-page-verified') });
    // The same link again: the token is spent.
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('was already used');
    await page.close();
  });

  it('sets a new password from the reset mail, in the browser’s language, and the new password signs in', async () => {
    const account = await signUp(t, 'sam@example.com');
    const before = received.length;
    await t.request('POST', '/api/collections/users/auth/request-password-reset', { email: account.email }, anonymous);
    const link = linkIn(await mailTo('sam@example.com', /Subject: Reset your password/, before), 'reset-password');
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Neues Passwort wählen' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    const password = page.getByLabel('Neues Passwort', { exact: true });
    const confirm = page.getByLabel('Neues Passwort wiederholen');
    const submit = page.getByRole('button', { name: 'Neues Passwort speichern' });
    await password.fill('a brand new passphrase');
    await confirm.fill('a different passphrase');
    await submit.click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('stimmen nicht überein');
    expect(await confirm.getAttribute('aria-invalid')).toBe('true');
    // The server's password rules, in the page's language; the token is not spent by a refused password.
    await password.fill('password');
    await confirm.fill('password');
    await submit.click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('zu verbreitet');
    await password.fill('a brand new passphrase');
    await confirm.fill('a brand new passphrase');
    await submit.click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Ihr Passwort wurde geändert');
    await page.screenshot({ path: screenshotPath('account-page-reset-de') });
    await context.close();
    const signIn = (pw: string) => t.request('POST', '/api/collections/users/auth/sign-in', { email: account.email, password: pw }, anonymous);
    expect((await signIn('a brand new passphrase')).status).toBe(200);
    expect((await signIn(account.password)).status).toBe(401);
  });

  it('says so when a link is incomplete, and picks the language from ?lang=', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/auth/reset-password?lang=fr`);
    await page.getByRole('heading', { name: 'Choisissez un nouveau mot de passe' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Ce lien est incomplet');
    expect(await page.locator('form').count()).toBe(0);
    await page.close();
  });
});

describe('account pages over HTTP', () => {
  it('escapes what the link carries into the page', async () => {
    const response = await t.request('GET', `/auth/verify-email?collection=${encodeURIComponent('"><script>alert(1)</script>')}&token=x`, undefined, anonymous);
    expect(response.status).toBe(200);
    expect(response.body).not.toContain('<script>alert(1)');
    expect(response.body).toContain('&#34;&#62;&#60;script&#62;');
  });
});

describe('link templates', () => {
  it('points mail at the app’s own pages when an admin sets a template for the collection', async () => {
    const set = await t.request('PATCH', '/api/settings', { accountMail: { users: { verifyEmailUrl: 'https://app.example.com/verify?token={{token}}&c={{ collection }}' } } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.accountMail.users.verifyEmailUrl).toContain('{{token}}');
    const before = received.length;
    await signUp(t, 'lee@example.com');
    const mail = await mailTo('lee@example.com', /Subject: Confirm your email address/, before);
    expect(mail).toMatch(/https:\/\/app\.example\.com\/verify\?token=[A-Za-z0-9_-]+&c=users/);
    // Reset mail has no template: it keeps Causeway's page.
    await t.request('POST', '/api/collections/users/auth/request-password-reset', { email: 'lee@example.com' }, anonymous);
    expect(linkIn(await mailTo('lee@example.com', /Subject: Reset your password/, before), 'reset-password')).toContain(`${t.url}/auth/reset-password?collection=users&token=`);
    expect((await t.request('PATCH', '/api/settings', { accountMail: {} })).status).toBe(200);
  });

  it('refuses templates that lose the token, use unknown variables or are not http(s), and non-admins', async () => {
    for (const verifyEmailUrl of ['https://app.example.com/verify', 'https://app.example.com/v?t={{token}}&e={{email}}', 'javascript:alert(1)//{{token}}', '/verify?token={{token}}']) {
      const response = await t.request('PATCH', '/api/settings', { accountMail: { users: { verifyEmailUrl } } });
      expect(response.status, verifyEmailUrl).toBe(422);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const user = await signUp(t, 'mal@example.com');
    const refused = await t.request('PATCH', '/api/settings', { accountMail: { users: { verifyEmailUrl: 'https://evil.example/{{token}}' } } }, user.auth);
    expect(refused.status).toBe(403);
    expect((await t.request('PATCH', '/api/settings', { accountMail: { users: { verifyEmailUrl: 'https://evil.example/{{token}}' } } }, anonymous)).status).toBe(401);
  });
});
