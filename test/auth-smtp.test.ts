import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp } from './support/accounts.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './support/smtp-sink.js';
import { startTestServer, type TestServer } from './support/test-server.js';

/** A real SMTP server on a random port, collecting what Causeway sends through nodemailer. */
let smtp: SmtpSink;
let received: ReceivedMail[] = [];
let port = 0;
let t: TestServer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  ({ received, port } = smtp);
  t = await startTestServer({ config: { smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'App <app@example.com>', publicUrl: 'https://app.example.com' } });
});

afterAll(async () => {
  await t?.stop();
  await smtp?.close();
});

describe('mail over SMTP', () => {
  it('delivers verification and reset mail with links to the public URL', async () => {
    const account = await signUp(t, 'pat@example.com');
    await t.request('POST', '/api/collections/users/auth/request-password-reset', { email: account.email }, anonymous);
    for (let attempt = 0; attempt < 100 && received.length < 2; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toHaveLength(2);
    expect(received.every((m) => m.to.includes('pat@example.com'))).toBe(true);
    const all = received.map((m) => m.data).join('\n');
    expect(all).toContain('From: App <app@example.com>');
    expect(all).toContain('Subject: Confirm your email address');
    expect(all).toContain('Subject: Reset your password');
    // Quoted-printable may wrap the link; unwrap soft line breaks before looking for it.
    expect(all.replace(/=\r\n/g, '').replace(/=3D/g, '=')).toContain('https://app.example.com/auth/reset-password?collection=users&token=');
  });
});
