import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp } from './support/accounts.js';
import { startTestServer, type TestServer } from './support/test-server.js';

/** A real SMTP server on a random port, collecting what Causeway sends through nodemailer. */
const received: { to: string[]; data: string }[] = [];
let smtp: SMTPServer;
let port = 0;
let t: TestServer;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as { port: number }).port;
  t = await startTestServer({ config: { smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'App <app@example.com>', publicUrl: 'https://app.example.com' } });
});

afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => smtp.close(resolve));
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
