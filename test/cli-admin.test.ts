import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer } from './support/accounts.js';
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
  it('keeps tokens signed with the previous key valid, and drops the key before it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'causeway-keys-'));
    const run = async () => {
      const t = await startTestServer({ dataDir: dir });
      return { t, token: t.adminToken };
    };
    try {
      const first = await run();
      const oldToken = first.token;
      await first.t.stop(true);
      const rotated = spawnSync(process.execPath, [cli, 'keys', 'rotate', '--data-dir', dir], { encoding: 'utf8' });
      expect(rotated.status).toBe(0);
      expect(rotated.stdout).toMatch(/still verifying: \S+/);

      const second = await run();
      expect((await second.t.request('GET', '/api/collections', undefined, bearer(oldToken))).status).toBe(200);
      expect(second.token.split('.')[0]).not.toBe(oldToken.split('.')[0]);
      await second.t.stop(true);
      spawnSync(process.execPath, [cli, 'keys', 'rotate', '--data-dir', dir], { encoding: 'utf8' });

      const third = await run();
      expect((await third.t.request('GET', '/api/collections', undefined, bearer(oldToken))).status).toBe(401);
      await third.t.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
