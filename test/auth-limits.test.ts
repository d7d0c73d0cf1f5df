import { afterEach, describe, expect, it } from 'vitest';
import { mailedToken, signUp, type Account } from './support/accounts.js';
import { requestFrom } from './support/request-from.js';
import { serviceAvailable } from './support/services.js';
import { adminEmail, adminPassword, startTestServer, type TestServer } from './support/test-server.js';

const users = '/api/collections/users/auth';
const servers: TestServer[] = [];
const owner = '127.0.0.3';
const attacker = '127.0.0.2';

async function server(config: Record<string, unknown>): Promise<TestServer> {
  const t = await startTestServer({ config });
  servers.push(t);
  return t;
}

afterEach(async () => {
  for (const t of servers.splice(0)) await t.stop();
});

function signIn(t: TestServer, from: string, email: string, password: string, realm = users) {
  return requestFrom(from, t.url, 'POST', `${realm}/sign-in`, { email, password });
}

describe('every credential check is rate limited per address', () => {
  it('limits sign-in, change-password, reset confirmation and verification confirmation, with Retry-After', async () => {
    const t = await server({ authRateLimit: 3 });
    const account = await signUp(t, 'limited@example.com');
    for (let i = 0; i < 3; i++) expect((await signIn(t, attacker, 'someone@example.com', 'wrong password here')).status).toBe(401);
    const blocked = await signIn(t, attacker, account.email, account.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same address's budget covers every kind of credential check.
    expect((await requestFrom(attacker, t.url, 'POST', `${users}/change-password`, { currentPassword: account.password, newPassword: 'some new passphrase' }, account.auth)).status).toBe(429);
    expect((await requestFrom(attacker, t.url, 'POST', `${users}/confirm-password-reset`, { token: 'guess', password: 'some new passphrase' })).status).toBe(429);
    expect((await requestFrom(attacker, t.url, 'POST', `${users}/confirm-verification`, { token: 'guess' })).status).toBe(429);
    expect((await signIn(t, attacker, adminEmail, adminPassword, '/api/admins/auth')).status).toBe(429);
    // Another address is not affected.
    expect((await signIn(t, owner, account.email, account.password)).status).toBe(200);
  });

  it('limits change-password floods from one address, so a stolen token cannot guess the current password', async () => {
    const t = await server({ authRateLimit: 5 });
    const account = await signUp(t, 'flooded@example.com');
    const answers = await Promise.all(Array.from({ length: 20 }, () => requestFrom(attacker, t.url, 'POST', `${users}/change-password`, { currentPassword: 'a guess at it', newPassword: 'some new passphrase' }, account.auth)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
  });

  it('limits reset and verification mails per address, and per address and account', async () => {
    const t = await server({ authRateLimit: 2 });
    const ask = (from: string) => requestFrom(from, t.url, 'POST', `${users}/request-password-reset`, { email: 'mailbox@example.com' });
    expect((await ask(attacker)).status).toBe(202);
    expect((await ask(attacker)).status).toBe(202);
    expect((await ask(attacker)).status).toBe(429);
    // The owner can still ask from their own address.
    expect((await ask(owner)).status).toBe(202);
  });
});

describe('lock-out cannot be turned against the owner', () => {
  it("backs off a guessing address exponentially, while the owner signs in from another address", async () => {
    const t = await server({ authRateLimit: 1000, authFreeFailures: 3 });
    const account = await signUp(t, 'victim@example.com');
    for (let i = 0; i < 3; i++) expect((await signIn(t, attacker, account.email, `guess number ${i}`)).status).toBe(401);
    // The fourth failure starts the back-off: 1 s, then 2 s, …
    expect((await signIn(t, attacker, account.email, 'guess number 3')).status).toBe(401);
    const first = await signIn(t, attacker, account.email, 'guess number 4');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    // Even the right password is refused from the guessing address while it backs off.
    expect((await signIn(t, attacker, account.email, account.password)).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await signIn(t, attacker, account.email, 'guess number 5')).status).toBe(401);
    const second = await signIn(t, attacker, account.email, 'guess number 6');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');
    // The owner, elsewhere, is not locked out.
    const ownerIn = await signIn(t, owner, account.email, account.password);
    expect(ownerIn.status).toBe(200);
    // Other accounts from the attacker's address are unaffected by this pair's back-off.
    const other = await signUp(t, 'bystander@example.com');
    expect((await signIn(t, attacker, other.email, other.password)).status).toBe(200);
  });

  it('backs off wrong current passwords at change-password the same way', async () => {
    const t = await server({ authRateLimit: 1000, authFreeFailures: 2 });
    const account = await signUp(t, 'changer@example.com');
    const change = (currentPassword: string) => requestFrom(attacker, t.url, 'POST', `${users}/change-password`, { currentPassword, newPassword: 'some new passphrase' }, account.auth);
    expect((await change('wrong one')).status).toBe(422);
    expect((await change('wrong two')).status).toBe(422);
    expect((await change('wrong three')).status).toBe(422);
    expect((await change(account.password)).status).toBe(429);
  });

  it('closes an account under a distributed guess to new addresses only; known addresses and a reset link still get in', async () => {
    const t = await server({ authRateLimit: 1000, authAccountFailureLimit: 4 });
    const account: Account = await signUp(t, 'distributed@example.com');
    // The owner signed in from here before.
    expect((await signIn(t, owner, account.email, account.password)).status).toBe(200);
    for (const from of ['127.0.0.10', '127.0.0.11', '127.0.0.12', '127.0.0.13']) expect((await signIn(t, from, account.email, 'a distributed guess')).status).toBe(401);
    // A fifth address, the right password or not, is refused.
    expect((await signIn(t, '127.0.0.14', account.email, 'a distributed guess')).status).toBe(429);
    expect((await signIn(t, '127.0.0.15', account.email, account.password)).status).toBe(429);
    // The owner's known address still gets in.
    expect((await signIn(t, owner, account.email, account.password)).status).toBe(200);
    // From a new device, a reset link gets the owner in and reopens the account.
    expect((await requestFrom('127.0.0.15', t.url, 'POST', `${users}/request-password-reset`, { email: account.email })).status).toBe(202);
    const token = await mailedToken(t, account.email, /reset/i);
    expect((await requestFrom('127.0.0.15', t.url, 'POST', `${users}/confirm-password-reset`, { token, password: 'recovered passphrase' })).status).toBe(204);
    expect((await signIn(t, '127.0.0.15', account.email, 'recovered passphrase')).status).toBe(200);
  });

  it('protects admins the same way', async () => {
    const t = await server({ authRateLimit: 1000, authFreeFailures: 2 });
    for (let i = 0; i < 3; i++) expect((await signIn(t, attacker, adminEmail, `admin guess ${i}`, '/api/admins/auth')).status).toBe(401);
    expect((await signIn(t, attacker, adminEmail, adminPassword, '/api/admins/auth')).status).toBe(429);
    expect((await signIn(t, owner, adminEmail, adminPassword, '/api/admins/auth')).status).toBe(200);
  });
});

const redisAvailable = await serviceAvailable('Redis', '127.0.0.1', 6379);

describe.skipIf(!redisAvailable)('limits shared through Redis', () => {
  it('backs off a guessing address on every instance, and still lets the owner in', async () => {
    const config = { authRateLimit: 1000, authFreeFailures: 2, redisUrl: 'redis://127.0.0.1:6379' };
    const a = await server(config);
    // Another instance of the same deployment (the same database), in the same process: its own memory, so the
    // refusal below can only come from the counts shared through Redis.
    const b = await startTestServer({ config, dataDir: a.dataDir });
    servers.push(b);
    const email = `shared-${Date.now()}@example.com`;
    const account = await signUp(a, email);
    for (let i = 0; i < 3; i++) expect((await signIn(a, attacker, account.email, `guess ${i}`)).status).toBe(401);
    expect((await signIn(b, attacker, account.email, account.password)).status).toBe(429);
    expect((await signIn(a, owner, account.email, account.password)).status).toBe(200);
  });
});
