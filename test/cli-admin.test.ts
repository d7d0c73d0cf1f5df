import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { bearer } from './support/accounts.js';
import { signingKey } from './support/signing-key.js';
import { startTestServer } from './support/test-server.js';

const cli = path.resolve('packages/server/dist/cli/main.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-cli-admin-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function causeway(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, CAUSEWAY_DATA_DIR: dataDir, CAUSEWAY_PASSWORD_COST: '10', ...options.env },
  });
}

describe('causeway admin create', () => {
  it('creates an admin with the password from the environment, never echoing it', () => {
    const result = causeway(['admin', 'create', '--email', 'Root@Example.com'], { env: { CAUSEWAY_ADMIN_PASSWORD: 'a long admin passphrase' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('admin created: root@example.com\n');
    expect(result.stdout + result.stderr).not.toContain('passphrase');
  });

  it('reads the password from standard input when no terminal is attached', () => {
    const result = causeway(['admin', 'create', '--email', 'second@example.com'], { input: 'another admin passphrase\n' });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('passphrase');
  });

  it('refuses a duplicate email and a weak password with a clear message', () => {
    const duplicate = causeway(['admin', 'create', '--email', 'root@example.com'], { env: { CAUSEWAY_ADMIN_PASSWORD: 'a long admin passphrase' } });
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain('UNIQUE_VIOLATION');
    const weak = causeway(['admin', 'create', '--email', 'third@example.com'], { env: { CAUSEWAY_ADMIN_PASSWORD: 'password' } });
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('common_password');
  });
});

describe('causeway keys rotate', () => {
  const forge = async (key: { kid: string; secret: Uint8Array }, subject: { id: string; sessionId: string }) =>
    new SignJWT({ typ: 'access', realm: '_admins', sid: subject.sessionId })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setSubject(subject.id)
      .setIssuer('causeway')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(key.secret);

  it('reaches a running server at once, keeps the previous key verifying, and drops the key before it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'causeway-keys-'));
    const rotate = () => spawnSync(process.execPath, [cli, 'keys', 'rotate', '--data-dir', dir], { encoding: 'utf8' });
    try {
      const first = await startTestServer({ dataDir: dir });
      const oldToken = first.adminToken;
      const admin = (await first.server.auth.authenticate(oldToken)) as { id: string; sessionId: string };
      const rotated = rotate();
      expect(rotated.status).toBe(0);
      expect(rotated.stdout).toMatch(/still verifying: \S+/);
      // A token signed with the new key (as another instance that has re-read the keys would) is accepted at once.
      const newKey = await signingKey(first);
      expect(oldToken.split('.')[0]).not.toBe((await forge(newKey, admin)).split('.')[0]);
      expect((await first.request('GET', '/api/collections', undefined, bearer(await forge(newKey, admin)))).status).toBe(200);
      expect((await first.request('GET', '/api/collections', undefined, bearer(oldToken))).status).toBe(200);
      await first.stop(true);

      const second = await startTestServer({ dataDir: dir });
      expect(JSON.parse(Buffer.from(second.adminToken.split('.')[0]!, 'base64url').toString()).kid).toBe(newKey.kid);
      await second.stop(true);
      expect(rotate().status).toBe(0);

      const third = await startTestServer({ dataDir: dir });
      expect((await third.request('GET', '/api/collections', undefined, bearer(oldToken))).status).toBe(401);
      await third.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('carries the key file of an earlier version into the database, so its tokens stay valid', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'causeway-legacy-keys-'));
    const legacy = { kid: 'legacy1', secret: randomBytes(32).toString('base64url'), created: '2026-01-01T00:00:00.000Z' };
    writeFileSync(path.join(dir, 'token-keys.json'), JSON.stringify({ keys: [legacy] }));
    try {
      const t = await startTestServer({ dataDir: dir });
      const admin = (await t.server.auth.authenticate(t.adminToken)) as { id: string; sessionId: string };
      expect((await signingKey(t)).kid).toBe('legacy1');
      const fromEarlierVersion = await forge({ kid: legacy.kid, secret: Buffer.from(legacy.secret, 'base64url') }, admin);
      expect((await t.request('GET', '/api/collections', undefined, bearer(fromEarlierVersion))).status).toBe(200);
      await t.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to rotate when the key comes from CAUSEWAY_TOKEN_SECRET', () => {
    const refused = causeway(['keys', 'rotate'], { env: { CAUSEWAY_TOKEN_SECRET: 'x'.repeat(40) } });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('change the secret instead');
  });
});
