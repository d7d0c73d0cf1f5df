import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, readMail, signUp } from './support/accounts.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

/** Account mail templates an admin writes (subject, text, HTML with variables), validated, and a test mail. */
let t: TestServer;

type Mail = { to: string; subject: string; text: string; html?: string };

async function mailTo(to: string, subject: RegExp): Promise<Mail> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const mail = ((await readMail(t)) as Mail[]).filter((m) => m.to === to && subject.test(m.subject)).at(-1);
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

const verificationMail = {
  subject: 'Welcome to {{collection}}',
  text: 'Hi {{email}}, confirm at {{link}}\nCode: {{token}}\n{{appUrl}}',
  html: '<p>Hi {{email}}</p><p><a href="{{link}}">Confirm</a></p>',
};

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  await t?.stop();
});

describe('mail templates', () => {
  it('serves the defaults and the variables templates may use', async () => {
    const defaults = await t.request('GET', '/api/settings/account-mail/defaults');
    expect(defaults.status).toBe(200);
    expect(defaults.body.verificationMail.subject).toBe('Confirm your email address');
    expect(defaults.body.passwordResetMail.text).toContain('{{link}}');
    expect(defaults.body.mailVariables).toEqual(['link', 'token', 'email', 'collection', 'appUrl']);
    expect((await t.request('GET', '/api/settings/account-mail/defaults', undefined, anonymous)).status).toBe(401);
  });

  it('sends the admin’s template with its variables filled in, HTML-escaped in the HTML part', async () => {
    const set = await t.request('PATCH', '/api/settings', { accountMail: { users: { verificationMail } } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    await signUp(t, 'kim@example.com');
    const mail = await mailTo('kim@example.com', /^Welcome to users$/);
    const link = /confirm at (\S+)/.exec(mail.text)?.[1] ?? '';
    expect(link).toMatch(/\/auth\/verify-email\?collection=users&token=[A-Za-z0-9_-]+$/);
    expect(mail.text).toContain('Hi kim@example.com');
    expect(mail.text).toContain(`Code: ${new URL(link).searchParams.get('token')}`);
    // In HTML, the link's `&` is escaped, so no variable can inject markup.
    expect(mail.html).toBe(`<p>Hi kim@example.com</p><p><a href="${link.replace('&', '&#38;')}">Confirm</a></p>`);
    // The token in the mail works: the template changed the words, not the flow.
    const confirmed = await t.request('POST', '/api/collections/users/auth/confirm-verification', { token: new URL(link).searchParams.get('token') }, anonymous);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.verified).toBe(true);
  });

  it('keeps the default for a mail without a template, with its HTML part', async () => {
    await signUp(t, 'ray@example.com');
    await t.request('POST', '/api/collections/users/auth/request-password-reset', { email: 'ray@example.com' }, anonymous);
    const mail = await mailTo('ray@example.com', /^Reset your password$/);
    expect(mail.text).toContain('/auth/reset-password?collection=users&token=');
    expect(mail.html).toContain('Choose a new password');
  });

  it('refuses templates with unknown variables, multi-line subjects, no link or token, and non-admins', async () => {
    const bad: Json[] = [
      { ...verificationMail, subject: 'Hi\r\nBcc: victim@example.com' },
      { ...verificationMail, text: 'Your password is {{password}} {{link}}' },
      { ...verificationMail, text: 'Nothing to click' },
      { ...verificationMail, html: '<p>no way to act</p>' },
      { subject: 'x' },
      { ...verificationMail, extra: 1 },
    ];
    for (const template of bad) {
      const response = await t.request('PATCH', '/api/settings', { accountMail: { users: { verificationMail: template } } });
      expect(response.status, JSON.stringify(template)).toBe(422);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    // The last good template is still in force.
    expect((await t.request('GET', '/api/settings')).body.accountMail.users.verificationMail).toEqual(verificationMail);
    const user = await signUp(t, 'eve@example.com');
    expect((await t.request('PATCH', '/api/settings', { accountMail: {} }, user.auth)).status).toBe(403);
  });
});

describe('test mail', () => {
  it('sends the mail as it would go out now, with a token that opens nothing', async () => {
    const response = await t.request('POST', '/api/settings/account-mail/test', { collection: 'users', kind: 'verification', to: 'admin-inbox@example.com' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ sent: true });
    const mail = await mailTo('admin-inbox@example.com', /^Welcome to users$/);
    const token = /Code: (\S+)/.exec(mail.text)?.[1];
    expect(token).toBe('test-token-not-valid');
    expect((await t.request('POST', '/api/collections/users/auth/confirm-verification', { token }, anonymous)).status).toBe(401);
  });

  it('answers bad requests with problems, and refuses non-admins', async () => {
    const send = (body: unknown, headers?: Record<string, string>) => t.request('POST', '/api/settings/account-mail/test', body, headers);
    expect((await send({ collection: 'users', kind: 'welcome', to: 'a@example.com' })).body.errors).toHaveProperty('kind');
    expect((await send({ collection: 'users', kind: 'verification', to: 'not an address' })).status).toBe(422);
    expect((await send({ collection: 'nope', kind: 'verification', to: 'a@example.com' })).status).toBe(404);
    expect((await send('[]')).status).toBe(422);
    expect((await send({ collection: 'users', kind: 'verification', to: 'a@example.com' }, anonymous)).status).toBe(401);
  });

  it('reports a mail server that refuses, instead of failing', async () => {
    // Port 9 (discard) on loopback: nothing listens, so the connection is refused.
    const down = await startTestServer({ config: { smtpUrl: 'smtp://127.0.0.1:9', mailFrom: 'App <app@example.com>' } });
    try {
      const response = await down.request('POST', '/api/settings/account-mail/test', { collection: '_admins', kind: 'password-reset', to: 'a@example.com' });
      expect(response.status).toBe(200);
      expect(response.body.sent).toBe(false);
      expect(response.body.reason).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await down.stop();
    }
  });
});
