import { createServer, type Server } from 'node:http';
import { build } from 'esbuild';
import { Secret, TOTP } from 'otpauth';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { args, passkeysTable, passwordHashField, sessionsTable, sqlTemplate } from '../packages/core/src/index.js';
import { anonymous, signUp, type Account } from './support/accounts.js';
import { browserAvailable, launchBrowser } from './support/browser.js';
import { freePort } from './support/free-port.js';
import { adminEmail, adminPassword, startTestServer, type Json, type TestServer } from './support/test-server.js';

/**
 * Passkeys in Chromium with a virtual authenticator (the DevTools protocol's WebAuthn domain): the app's pages are
 * served from an origin of their own (as a real frontend's are), on `localhost`, the relying party id; the typed
 * client does the ceremonies. A second page origin on the same relying party is not configured, so the server
 * must refuse what the browser signs there.
 */
let t: TestServer;
let browser: Browser;
let appOrigin: string;
let strangerOrigin: string;
const pageServers: Server[] = [];
const users = (path: string) => `/api/collections/users/auth/${path}`;

interface Authenticator {
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}

/** A page on `origin` with the client loaded as `window.Causeway`, and a virtual platform authenticator. */
async function openPage(origin: string, userVerification = true): Promise<Authenticator> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error', error));
  await page.goto(`${origin}/`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: userVerification, isUserVerified: userVerification, automaticPresenceSimulation: true },
  });
  return { page, cdp, authenticatorId };
}

/** Runs the client in the page: registers a passkey on `account` (signed in there with its tokens). */
function registerInPage({ page }: Authenticator, account: Pick<Account, 'email' | 'password'>, password = account.password, realm = 'users'): Promise<Json> {
  return page.evaluate(
    async ({ api, account, password, realm }) => {
      const client = (window as unknown as { Causeway: typeof import('../packages/client/src/index.js') }).Causeway.createClient(api);
      const auth = client.auth.collection(realm);
      await auth.signIn(account.email, account.password);
      try {
        return { ok: true, passkey: await auth.registerPasskey({ password, name: 'Laptop' }) };
      } catch (error) {
        return { ok: false, status: (error as { status?: number }).status, code: (error as { code?: string }).code, message: String(error) };
      }
    },
    { api: t.url, account, password, realm },
  );
}

/** Signs in with whatever passkey the page's authenticator holds, through the client. */
function signInInPage({ page }: Authenticator, realm = 'users', code?: string): Promise<Json> {
  return page.evaluate(
    async ({ api, realm, code }) => {
      const client = (window as unknown as { Causeway: typeof import('../packages/client/src/index.js') }).Causeway.createClient(api);
      const auth = realm === 'users' ? client.auth : client.auth.collection(realm);
      try {
        const result = await auth.signInWithPasskey(code === undefined ? {} : { code });
        return { ok: true, email: result.record.email, token: result.token, refreshToken: result.refreshToken };
      } catch (error) {
        return { ok: false, status: (error as { status?: number }).status, code: (error as { code?: string }).code, message: String(error) };
      }
    },
    { api: t.url, realm, code },
  );
}

/**
 * One raw assertion (options asked of `path`), as the JSON the browser makes of it: to send it by hand. `only`
 * names the credential and asks the authenticator not to verify the person (as a client may).
 */
function assertionInPage({ page }: Authenticator, optionsPath: string, only?: string): Promise<Json> {
  return page.evaluate(
    async ({ url, only }) => {
      const options = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
      if (only) Object.assign(options, { userVerification: 'discouraged', allowCredentials: [{ id: only, type: 'public-key' }] });
      const credential = (await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) })) as PublicKeyCredential;
      return credential.toJSON();
    },
    { url: t.url + optionsPath, only },
  );
}

async function servePages(bundle: string): Promise<string> {
  const port = await freePort();
  const server = createServer((request, response) => {
    if (request.url === '/client.js') return response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title><script src="/client.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  pageServers.push(server);
  return `http://localhost:${port}`;
}

beforeAll(async () => {
  if (!browserAvailable) return;
  const bundled = await build({ entryPoints: ['packages/client/src/index.ts'], bundle: true, format: 'iife', globalName: 'Causeway', write: false, logLevel: 'silent' });
  const bundle = bundled.outputFiles[0]!.text;
  appOrigin = await servePages(bundle);
  strangerOrigin = await servePages(bundle);
  t = await startTestServer({ config: { passkeyRpId: 'localhost', passkeyOrigins: appOrigin, passkeyRpName: 'Causeway test' } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const server of pageServers) server.close();
  await t?.stop();
});

describe.runIf(browserAvailable)('passkeys', () => {
  it('registers a passkey on a signed-in account and signs in with it, no email asked', async () => {
    const ann = await signUp(t, 'ann@example.com');
    const device = await openPage(appOrigin);
    const registered = await registerInPage(device, ann);
    expect(registered, JSON.stringify(registered)).toMatchObject({ ok: true, passkey: { name: 'Laptop', lastUsed: null, backedUp: false } });
    const listed = await t.request('GET', users('passkeys'), undefined, ann.auth);
    expect(listed.body.items).toEqual([registered.passkey]);
    // Nothing secret in the list: no public key, no counter.
    expect(Object.keys(listed.body.items[0]).sort()).toEqual(['backedUp', 'created', 'id', 'lastUsed', 'name']);

    const signedIn = await signInInPage(device);
    expect(signedIn, JSON.stringify(signedIn)).toMatchObject({ ok: true, email: 'ann@example.com' });
    const me = await t.request('GET', users('me'), undefined, { authorization: `Bearer ${signedIn.token}` });
    expect(me.body.id).toBe(ann.id);
    expect((await t.request('GET', users('passkeys'), undefined, ann.auth)).body.items[0].lastUsed).not.toBeNull();
    await device.page.close();
  });

  it('asks for the current password before registering, so a stolen access token cannot add a way in', async () => {
    const bob = await signUp(t, 'bob@example.com');
    const device = await openPage(appOrigin);
    const refused = await registerInPage(device, bob, 'not the password');
    expect(refused).toMatchObject({ ok: false, status: 422 });
    const noPassword = await t.request('POST', users('passkeys/register/options'), {}, bob.auth);
    expect(noPassword.status).toBe(422);
    expect(noPassword.body.errors.currentPassword.code).toBe('wrong_password');
    expect((await t.request('POST', users('passkeys/register/options'), { password: bob.password }, anonymous)).status).toBe(401);
    expect((await t.request('GET', users('passkeys'), undefined, anonymous)).status).toBe(401);
    expect((await t.request('GET', users('passkeys'), undefined, bob.auth)).body.items).toEqual([]);
    await device.page.close();
  });

  it('refuses what the browser signed on a page origin the server does not allow', async () => {
    const cat = await signUp(t, 'cat@example.com');
    const stranger = await openPage(strangerOrigin);
    // Same relying party id (localhost), so the browser signs; the server sees the wrong origin.
    const registered = await registerInPage(stranger, cat);
    expect(registered).toMatchObject({ ok: false, status: 422 });
    expect((await t.request('GET', users('passkeys'), undefined, cat.auth)).body.items).toEqual([]);

    // A passkey registered on the app's origin does not sign in from the stranger's either.
    const device = await openPage(appOrigin);
    expect((await registerInPage(device, cat)).ok).toBe(true);
    const [credential] = (await device.cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId })).credentials;
    const elsewhere = await openPage(strangerOrigin);
    await elsewhere.cdp.send('WebAuthn.addCredential', { authenticatorId: elsewhere.authenticatorId, credential: credential! });
    expect(await signInInPage(elsewhere)).toMatchObject({ ok: false, status: 401, code: 'INVALID_CREDENTIALS' });
    expect(await signInInPage(device)).toMatchObject({ ok: true, email: 'cat@example.com' });
    await stranger.page.close();
    await elsewhere.page.close();
    await device.page.close();
  });

  it('refuses an assertion whose signature counter went backwards (a cloned authenticator)', async () => {
    const dan = await signUp(t, 'dan@example.com');
    const device = await openPage(appOrigin);
    expect((await registerInPage(device, dan)).ok).toBe(true);
    expect((await signInInPage(device)).ok).toBe(true);
    expect((await signInInPage(device)).ok).toBe(true);
    const [credential] = (await device.cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId })).credentials;
    expect(credential!.signCount).toBeGreaterThan(1);
    // The clone: the same key, its counter back at the start.
    const clone = await openPage(appOrigin);
    await clone.cdp.send('WebAuthn.addCredential', { authenticatorId: clone.authenticatorId, credential: { ...credential!, signCount: 0 } });
    expect(await signInInPage(clone)).toMatchObject({ ok: false, status: 401, code: 'INVALID_CREDENTIALS' });
    expect((await signInInPage(device)).ok).toBe(true);
    await clone.page.close();
    await device.page.close();
  });

  it('spends a challenge once: the same assertion sent again is refused', async () => {
    const eve = await signUp(t, 'eve@example.com');
    const device = await openPage(appOrigin);
    expect((await registerInPage(device, eve)).ok).toBe(true);
    const assertion = await assertionInPage(device, users('passkeys/sign-in/options'));
    const first = await t.request('POST', users('passkeys/sign-in'), { credential: assertion }, anonymous);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const replay = await t.request('POST', users('passkeys/sign-in'), { credential: assertion }, anonymous);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('INVALID_CREDENTIALS');
    await device.page.close();
  });

  it("does not sign in to another realm with an account's passkey", async () => {
    const fay = await signUp(t, 'fay@example.com');
    const device = await openPage(appOrigin);
    expect((await registerInPage(device, fay)).ok).toBe(true);
    const assertion = await assertionInPage(device, '/api/admins/auth/passkeys/sign-in/options');
    const asAdmin = await t.request('POST', '/api/admins/auth/passkeys/sign-in', { credential: assertion }, anonymous);
    expect(asAdmin.status).toBe(401);
    await device.page.close();
  });

  it('asks for the second factor when the authenticator did not verify the person', async () => {
    const gus = await signUp(t, 'gus@example.com');
    // A security key without PIN or biometrics: presence only.
    const key = await openPage(appOrigin, false);
    const { passkey } = await registerInPage(key, gus);
    const phone = await openPage(appOrigin);
    expect((await registerInPage(phone, gus)).ok).toBe(true);
    const setup = await t.request('POST', users('mfa/setup'), undefined, gus.auth);
    const totp = new TOTP({ secret: Secret.fromBase32(setup.body.secret) });
    expect((await t.request('POST', users('mfa/enable'), { code: totp.generate() }, gus.auth)).status).toBe(200);
    const signIn = async (code?: string) => t.request('POST', users('passkeys/sign-in'), { credential: await assertionInPage(key, users('passkeys/sign-in/options'), passkey.id), code }, anonymous);
    const noCode = await signIn();
    expect(noCode.status).toBe(401);
    expect(noCode.body.code).toBe('MFA_REQUIRED');
    expect((await signIn('000000' === totp.generate() ? '111111' : '000000')).body.code).toBe('INVALID_CREDENTIALS');
    const withCode = await signIn(totp.generate({ timestamp: Date.now() + 30_000 }));
    expect(withCode.status, JSON.stringify(withCode.body)).toBe(200);
    expect(withCode.body.record.id).toBe(gus.id);
    // A passkey that verified the person is two factors already.
    expect(await signInInPage(phone)).toMatchObject({ ok: true, email: 'gus@example.com' });
    await key.page.close();
    await phone.page.close();
  });

  it('keeps an admin who signed in with a verified passkey refreshing while admins must use a second factor', async () => {
    const device = await openPage(appOrigin);
    expect((await registerInPage(device, { email: adminEmail, password: adminPassword }, adminPassword, '_admins')).ok).toBe(true);
    expect((await t.request('PATCH', '/api/settings', { requireAdminMfa: true })).status).toBe(200);
    try {
      const signedIn = await signInInPage(device, '_admins');
      expect(signedIn).toMatchObject({ ok: true, email: adminEmail });
      // The passkey was the second factor: its session lives on like one that passed a TOTP code.
      const refreshed = await t.request('POST', '/api/admins/auth/refresh', { refreshToken: signedIn.refreshToken }, anonymous);
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    } finally {
      expect((await t.request('PATCH', '/api/settings', { requireAdminMfa: false })).status).toBe(200);
      await device.page.close();
    }
  });

  it('stops signing in with a removed passkey; only its account can remove it; a deleted account takes its passkeys along', async () => {
    const hal = await signUp(t, 'hal@example.com');
    const ivy = await signUp(t, 'ivy@example.com');
    const device = await openPage(appOrigin);
    const { passkey } = await registerInPage(device, hal);
    const path = users(`passkeys/${encodeURIComponent(passkey.id)}`);
    expect((await t.request('DELETE', path, undefined, ivy.auth)).status).toBe(404);
    expect((await t.request('DELETE', path, undefined, anonymous)).status).toBe(401);
    expect((await t.request('DELETE', path, undefined, hal.auth)).status).toBe(204);
    expect(await signInInPage(device)).toMatchObject({ ok: false, status: 401 });

    expect((await registerInPage(device, hal)).ok).toBe(true);
    expect((await t.request('DELETE', `/api/collections/users/records/${hal.id}`)).status).toBe(204);
    const s = sqlTemplate(t.server.db.dialect);
    await expect.poll(async () => (await t.server.db.all(...args(s.q`SELECT id FROM ${s.id(passkeysTable)} WHERE subject = ${hal.id}`))).length).toBe(0);
    expect(await signInInPage(device)).toMatchObject({ ok: false, status: 401 });
    await device.page.close();
  });

  it('refuses to remove the last way in: the only passkey of an account without a password or a provider', async () => {
    const lee = await signUp(t, 'lee@example.com');
    const laptop = await openPage(appOrigin);
    const phone = await openPage(appOrigin);
    const first = (await registerInPage(laptop, lee)).passkey;
    const second = (await registerInPage(phone, lee)).passkey;
    // As an account made by a provider's sign-in whose identity was unlinked: passkeys are all it has.
    await t.server.records.updateSystem('users', lee.id, { [passwordHashField]: null });
    const remove = (passkey: Json) => t.request('DELETE', users(`passkeys/${encodeURIComponent(passkey.id)}`), undefined, lee.auth);
    expect((await remove(first)).status).toBe(204);
    const last = await remove(second);
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('LAST_SIGN_IN_METHOD');
    expect(await signInInPage(phone)).toMatchObject({ ok: true, email: 'lee@example.com' });
    await laptop.page.close();
    await phone.page.close();
  });

  it('answers malformed credentials with a problem, not a crash', async () => {
    const jo = await signUp(t, 'jo@example.com');
    for (const credential of [undefined, 'x', 42, [], {}, { id: 'a', response: {} }, { id: 'a'.repeat(5000), response: { clientDataJSON: 'e30' } }]) {
      const signIn = await t.request('POST', users('passkeys/sign-in'), { credential }, anonymous);
      expect(signIn.status, JSON.stringify(credential)).toBe(422);
      const register = await t.request('POST', users('passkeys'), { credential }, jo.auth);
      expect(register.status).toBe(422);
    }
    // Well formed, but signed over no challenge the server issued.
    const forged = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: 'bm9uZQ', origin: appOrigin })).toString('base64url'), authenticatorData: '', signature: '' }, clientExtensionResults: {} };
    expect((await t.request('POST', users('passkeys/sign-in'), { credential: forged }, anonymous)).status).toBe(401);
    expect((await t.request('POST', users('passkeys/sign-in'), 'not json', { ...anonymous, 'content-type': 'application/json' })).status).toBe(400);
  });
});

describe('registering a passkey on an account without a password', () => {
  it('needs a sign-in within the last ten minutes instead of the password', async () => {
    const server = await startTestServer();
    try {
      const kim = await signUp(server, 'kim@example.com');
      const s = sqlTemplate(server.server.db.dialect);
      // As an account made by a sign-in with a provider: no password hash.
      await server.server.records.updateSystem('users', kim.id, { [passwordHashField]: null });
      const options = () => server.request('POST', users('passkeys/register/options'), {}, kim.auth);
      const fresh = await options();
      expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
      expect(fresh.body.user.name).toBe('kim@example.com');
      const longAgo = new Date(Date.now() - 11 * 60_000).toISOString();
      await server.server.db.run(...args(s.q`UPDATE ${s.id(sessionsTable)} SET created = ${longAgo} WHERE subject = ${kim.id}`));
      const stale = await options();
      expect(stale.status).toBe(403);
      expect(stale.body.detail).toMatch(/sign in again/);
    } finally {
      await server.stop();
    }
  });
});

describe('passkey endpoints against a session that ended and a flooding client', () => {
  it('refuse an access token whose session was signed out', async () => {
    const server = await startTestServer();
    try {
      const max = await signUp(server, 'max@example.com');
      expect((await server.request('GET', users('passkeys'), undefined, max.auth)).status).toBe(200);
      expect((await server.request('POST', users('sign-out'), { refreshToken: max.refreshToken }, anonymous)).status).toBe(204);
      for (const [method, path, body] of [['GET', 'passkeys', undefined], ['POST', 'passkeys/register/options', { password: max.password }], ['DELETE', 'passkeys/abc', undefined]] as const) {
        const answer = await server.request(method, users(path), body, max.auth);
        expect(answer.status, `${method} ${path}`).toBe(401);
      }
    } finally {
      await server.stop();
    }
  });

  it('count both steps of a passkey sign-in against the credential budget of the address', async () => {
    const server = await startTestServer({ config: { authRateLimit: 3 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await server.request('POST', users('passkeys/sign-in/options'), {}, anonymous)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await server.request('POST', users('passkeys/sign-in'), { credential: {} }, anonymous);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBeTruthy();
    } finally {
      await server.stop();
    }
  });
});

describe.runIf(browserAvailable)('passkeys in the console', () => {
  it('lets an admin add a passkey, sign in with it and remove it; the relying party defaults to the public URL', async () => {
    const port = await freePort();
    // Only a public URL: the relying party id (localhost) and the one allowed origin come from it.
    const server = await startTestServer({ config: { port, publicUrl: `http://localhost:${port}` } });
    const page = await browser.newPage();
    try {
      await page.goto(`http://localhost:${port}/_/`);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
      await page.getByLabel('Email').fill(adminEmail);
      await page.getByLabel('Password').fill(adminPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('button', { name: 'Admins' }).click();
      const passkeys = page.getByRole('region', { name: 'Passkeys' });
      await passkeys.getByText('No passkeys yet').waitFor();
      await passkeys.getByLabel('Name for the new passkey').fill('Test laptop');
      await passkeys.getByLabel('Current password').fill('wrong password');
      await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
      await passkeys.getByText('is wrong', { exact: true }).waitFor();
      await passkeys.getByLabel('Current password').fill(adminPassword);
      await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
      await passkeys.getByRole('cell', { name: 'Test laptop', exact: true }).waitFor();

      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByRole('button', { name: 'Admins' }).click();
      await passkeys.getByRole('cell', { name: 'never', exact: true }).waitFor({ state: 'detached' });
      await passkeys.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
      await passkeys.getByText('No passkeys yet').waitFor();
      expect((await server.request('GET', '/api/admins/auth/passkeys')).body.items).toEqual([]);
    } finally {
      await page.close();
      await server.stop();
    }
  });
});
