import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, mailedToken, readMail, signUp } from './support/accounts.js';
import { hooksDirectory } from './support/hooks-directory.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const extension = `
import { defineExtension } from '@causeway/server';

export default defineExtension((causeway) => {
  causeway.beforeSignUp('users', ({ data }) => {
    if (typeof data.email === 'string' && data.email.endsWith('@blocked.example')) {
      throw causeway.refuse('FORBIDDEN', 'Sign-ups from this domain are closed.', { email: 'use another address' });
    }
    if (data.name === undefined) data.name = 'Member ' + String(data.email).split('@')[0];
    if ('password' in data) throw new Error('a sign-up hook must never see the password');
  });
  causeway.afterSignIn('*', ({ record }) => {
    if (String(record.email).startsWith('banned')) throw causeway.refuse('FORBIDDEN', 'This account is suspended.');
  });
  causeway.beforeMail(({ kind, collection, message }) => {
    if (message.to.startsWith('nomail')) throw new Error('no mail for this one');
    message.subject = '[Acme] ' + message.subject + ' (' + kind + ', ' + collection + ')';
    message.text = message.text + '\\n-- The Acme team';
  });
});
`;

let t: TestServer;
let hooks: ReturnType<typeof hooksDirectory>;
const auth = '/api/collections/users/auth';

beforeAll(async () => {
  hooks = hooksDirectory({ 'auth.ts': extension });
  t = await startTestServer({ config: { hooks: hooks.dir } });
});
afterAll(async () => {
  await t.stop();
  hooks.remove();
});

describe('auth hooks', () => {
  it('before sign-up: change the data (never seeing the password) or refuse with a problem', async () => {
    const account = await signUp(t, 'ada@example.com');
    const me = await t.request('GET', `${auth}/me`, undefined, account.auth);
    expect(me.body.name).toBe('Member ada');
    const refused = await t.request('POST', `${auth}/sign-up`, { email: 'eve@blocked.example', password: 'a long enough passphrase' }, anonymous);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN', errors: { email: { message: 'use another address' } } });
    const listed = await t.request('GET', `/api/collections/users/records?filter=${encodeURIComponent('email = "eve@blocked.example"')}`);
    expect(listed.body.items).toEqual([]);
  });

  it('after sign-in: runs once the password was right and may refuse the session', async () => {
    const banned = await signUp(t, 'banned@example.com');
    const signIn = await t.request('POST', `${auth}/sign-in`, { email: banned.email, password: banned.password }, anonymous);
    expect(signIn.status).toBe(403);
    expect(signIn.body.code).toBe('FORBIDDEN');
    expect(signIn.body.token).toBeUndefined();
    // A wrong password is refused as before, without the hook telling anything about the account.
    const wrong = await t.request('POST', `${auth}/sign-in`, { email: banned.email, password: 'wrong password here' }, anonymous);
    expect(wrong.status).toBe(401);
    const fine = await signUp(t, 'fine@example.com');
    expect((await t.request('POST', `${auth}/sign-in`, { email: fine.email, password: fine.password }, anonymous)).status).toBe(200);
  });

  it('before mail: change the subject and text of each message', async () => {
    const account = await signUp(t, 'mailme@example.com');
    await mailedToken(t, account.email, /\[Acme\]/);
    const mail = (await readMail(t)).filter((m) => m.to === account.email).at(-1)!;
    expect(mail.subject).toMatch(/^\[Acme\] .* \(verification, users\)$/);
    expect(mail.text).toContain('-- The Acme team');
    await t.request('POST', `${auth}/request-password-reset`, { email: account.email }, anonymous);
    await mailedToken(t, account.email, /password-reset, users/);
  });

  it('a mail hook that throws sends nothing and the server goes on', async () => {
    await signUp(t, 'nomail@example.com');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await readMail(t)).filter((m) => m.to === 'nomail@example.com')).toEqual([]);
    expect((await t.request('GET', '/api/health')).status).toBe(200);
  });
});
