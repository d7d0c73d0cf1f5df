import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, UnauthorizedError, ValidationError } from '@causeway/client';
import { anonymous, signUp, type Account } from './support/accounts.js';
import { startTestServer, type TestServer } from './support/test-server.js';

/** TOTP second factor with recovery codes: setup, sign-in, replay, recovery, limits, turning it off. */
let t: TestServer;
let ann: Account;
let totp: TOTP;
let recoveryCodes: string[];
const mfa = (path = '') => `/api/collections/users/auth/mfa${path}`;

/** A code for `steps` time steps from now (the server accepts one step of drift either way). */
const codeAt = (steps: number) => totp.generate({ timestamp: Date.now() + steps * 30_000 });

const signIn = (account: Account, extra: Record<string, unknown> = {}, password = account.password) =>
  t.request('POST', '/api/collections/users/auth/sign-in', { email: account.email, password, ...extra }, anonymous);

beforeAll(async () => {
  t = await startTestServer();
  ann = await signUp(t, 'ann@example.com');
});

afterAll(async () => {
  await t?.stop();
});

describe('setting up TOTP', () => {
  it('needs a signed-in account', async () => {
    expect((await t.request('POST', mfa('/setup'), undefined, anonymous)).status).toBe(401);
    expect((await t.request('GET', mfa(), undefined, anonymous)).status).toBe(401);
  });

  it('hands out a pending secret, turned on only by a code from it, with ten recovery codes', async () => {
    const first = await t.request('POST', mfa('/setup'), undefined, ann.auth);
    expect(first.status).toBe(200);
    // Setting up again replaces the pending secret: a code from the first no longer enables.
    const setup = await t.request('POST', mfa('/setup'), undefined, ann.auth);
    expect(setup.body.secret).not.toBe(first.body.secret);
    expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\/.*ann%40example\.com\?.*secret=/);
    const stale = new TOTP({ secret: Secret.fromBase32(first.body.secret) }).generate();
    expect((await t.request('POST', mfa('/enable'), { code: stale }, ann.auth)).status).toBe(422);
    totp = new TOTP({ secret: Secret.fromBase32(setup.body.secret), digits: 6, period: 30, algorithm: 'SHA1' });
    expect((await t.request('GET', mfa(), undefined, ann.auth)).body).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    const wrong = await t.request('POST', mfa('/enable'), { code: '000000' === codeAt(0) ? '111111' : '000000' }, ann.auth);
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors.code.code).toBe('invalid');
    const enabled = await t.request('POST', mfa('/enable'), { code: codeAt(0) }, ann.auth);
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    recoveryCodes = enabled.body.recoveryCodes;
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(recoveryCodes.every((c) => /^[a-z2-9]{5}-[a-z2-9]{5}$/.test(c))).toBe(true);
    expect((await t.request('GET', mfa(), undefined, ann.auth)).body).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    // Once on, a new setup is refused until it is turned off.
    expect((await t.request('POST', mfa('/setup'), undefined, ann.auth)).status).toBe(422);
  });
});

describe('signing in with a second factor', () => {
  it('asks for the code after the right password, and answers a wrong code like a wrong password', async () => {
    const noCode = await signIn(ann);
    expect(noCode.status).toBe(401);
    expect(noCode.body.code).toBe('MFA_REQUIRED');
    expect(noCode.body).not.toHaveProperty('token');
    const wrongPassword = await signIn(ann, { code: codeAt(1) }, 'not the password at all');
    const wrongCode = await signIn(ann, { code: codeAt(1) === '123456' ? '654321' : '123456' });
    expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrongCode.status).toBe(401);
    expect(wrongCode.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('signs in with a current code once: the same code is refused after', async () => {
    // The enabling code used this step; the next step's code is within the accepted drift.
    const code = codeAt(1);
    const signedIn = await signIn(ann, { code });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.token).toEqual(expect.any(String));
    expect((await signIn(ann, { code })).body.code).toBe('INVALID_CREDENTIALS');
  });

  it('signs in with a recovery code once', async () => {
    const code = recoveryCodes[0]!;
    expect((await signIn(ann, { code: ` ${code.toUpperCase()} ` })).status).toBe(200);
    expect((await signIn(ann, { code })).body.code).toBe('INVALID_CREDENTIALS');
    expect((await t.request('GET', mfa(), undefined, ann.auth)).body.recoveryCodesLeft).toBe(9);
  });

  it('regenerates the recovery codes with a current code only: the earlier ones stop working', async () => {
    const cy = await signUp(t, 'cy-mfa@example.com');
    const cyTotp = new TOTP({ secret: Secret.fromBase32((await t.request('POST', mfa('/setup'), undefined, cy.auth)).body.secret) });
    // Codes from one instant: a step boundary crossed during the test must not make the spent code a new one.
    const now = Date.now();
    const first = (await t.request('POST', mfa('/enable'), { code: cyTotp.generate({ timestamp: now }) }, cy.auth)).body.recoveryCodes as string[];
    expect((await t.request('POST', mfa('/recovery-codes'), { code: cyTotp.generate({ timestamp: now }) }, anonymous)).status).toBe(401);
    // The enabling code is spent: it does not regenerate.
    const spent = await t.request('POST', mfa('/recovery-codes'), { code: cyTotp.generate({ timestamp: now }) }, cy.auth);
    expect(spent.status).toBe(422);
    expect(spent.body.errors.code.code).toBe('wrong_code');
    expect((await t.request('POST', mfa('/recovery-codes'), {}, cy.auth)).status).toBe(422);
    const fresh = await t.request('POST', mfa('/recovery-codes'), { code: cyTotp.generate({ timestamp: now + 30_000 }) }, cy.auth);
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    expect(fresh.body.recoveryCodes).not.toContain(first[0]);
    expect((await signIn(cy, { code: first[0] })).body.code).toBe('INVALID_CREDENTIALS');
    expect((await t.request('GET', mfa(), undefined, cy.auth)).body.recoveryCodesLeft).toBe(10);
    // An unused recovery code proves the owner too (and is spent by it).
    const again = await t.request('POST', mfa('/recovery-codes'), { code: fresh.body.recoveryCodes[0] }, cy.auth);
    expect(again.status).toBe(200);
    expect((await signIn(cy, { code: fresh.body.recoveryCodes[1] })).body.code).toBe('INVALID_CREDENTIALS');
    expect((await signIn(cy, { code: again.body.recoveryCodes[0] })).status).toBe(200);
  });

  it('turns off only with the current password, and then signs in without a code', async () => {
    const wrong = await t.request('POST', mfa('/disable'), { password: 'not it at all' }, ann.auth);
    expect(wrong.status).toBe(422);
    expect((await t.request('POST', mfa('/disable'), { password: ann.password }, anonymous)).status).toBe(401);
    expect((await t.request('POST', mfa('/disable'), { password: ann.password }, ann.auth)).status).toBe(204);
    expect((await signIn(ann)).status).toBe(200);
  });

  it('works for admins too', async () => {
    const setup = await t.request('POST', '/api/admins/auth/mfa/setup');
    expect(setup.status).toBe(200);
    expect((await t.request('GET', '/api/admins/auth/mfa')).body.enabled).toBe(false);
    // No recovery codes to regenerate while the factor is off.
    expect((await t.request('POST', '/api/admins/auth/mfa/recovery-codes', { code: '123456' })).status).toBe(422);
  });
});

describe('guessing codes', () => {
  it('is limited like guessing passwords: a run of wrong codes backs off to 429', async () => {
    const bob = await signUp(t, 'bob-mfa@example.com');
    const secret = (await t.request('POST', mfa('/setup'), undefined, bob.auth)).body.secret;
    const bobTotp = new TOTP({ secret: Secret.fromBase32(secret) });
    expect((await t.request('POST', mfa('/enable'), { code: bobTotp.generate() }, bob.auth)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 12 && !statuses.includes(429); i++) statuses.push((await signIn(bob, { code: String(100000 + i) })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  });

  it('is limited on regenerating recovery codes too: a stolen token cannot guess its way to new codes', async () => {
    const eve = await signUp(t, 'eve-mfa@example.com');
    const eveTotp = new TOTP({ secret: Secret.fromBase32((await t.request('POST', mfa('/setup'), undefined, eve.auth)).body.secret) });
    expect((await t.request('POST', mfa('/enable'), { code: eveTotp.generate() }, eve.auth)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 12 && !statuses.includes(429); i++) statuses.push((await t.request('POST', mfa('/recovery-codes'), { code: String(200000 + i) }, eve.auth)).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 422 && s !== 429)).toEqual([]);
  });
});

describe('the client', () => {
  it('sets up, uses, regenerates and turns off a second factor through typed calls', async () => {
    const client = createClient(t.url);
    await client.auth.signUp({ email: 'dee-mfa@example.com', password: 'dee has a long password' });
    expect(await client.auth.mfa.status()).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    const { secret, uri } = await client.auth.mfa.setUp();
    expect(uri).toContain('otpauth://totp/');
    const deeTotp = new TOTP({ secret: Secret.fromBase32(secret) });
    const now = Date.now();
    const codes: string[] = await client.auth.mfa.enable(deeTotp.generate({ timestamp: now }));
    expect(codes).toHaveLength(10);
    expect(await client.auth.mfa.setUp().catch((error: unknown) => error)).toBeInstanceOf(ValidationError);
    const asked = await createClient(t.url).auth.signIn('dee-mfa@example.com', 'dee has a long password').catch((error: unknown) => error);
    expect(asked).toBeInstanceOf(UnauthorizedError);
    expect((asked as UnauthorizedError).code).toBe('MFA_REQUIRED');
    const fresh = await client.auth.mfa.regenerateRecoveryCodes(codes[0]!);
    expect(fresh).toHaveLength(10);
    expect((await client.auth.mfa.status()).recoveryCodesLeft).toBe(10);
    expect((await createClient(t.url).auth.signIn('dee-mfa@example.com', 'dee has a long password', fresh[0])).record.email).toBe('dee-mfa@example.com');
    await client.auth.mfa.disable('dee has a long password');
    expect((await client.auth.mfa.status()).enabled).toBe(false);
  });
});
