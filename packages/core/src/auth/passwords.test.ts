import { describe, expect, it } from 'vitest';
import { PasswordHasher } from './password-hasher.js';
import { hashPassword, passwordIssue, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('verify against their own hash only, whatever the cost they were hashed at', async () => {
    const hash = await hashPassword('a long passphrase', { log2N: 10 });
    expect(hash).toMatch(/^scrypt\$1024\$8\$3\$/);
    expect(await verifyPassword('a long passphrase', hash)).toBe(true);
    expect(await verifyPassword('a long passphrasE', hash)).toBe(false);
    expect(await hashPassword('a long passphrase', { log2N: 10 })).not.toBe(hash);
  });

  it('treat malformed or missing hashes as a mismatch', async () => {
    for (const stored of [null, undefined, '', 'scrypt$x$8$3$a$b', 'bcrypt$1$2$3$4$5', 'scrypt$1024$8$3$c2FsdA']) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
    }
  });

  it('refuse short, long, common, repeated and email-equal passwords', () => {
    expect(passwordIssue('short')?.code).toBe('too_short');
    expect(passwordIssue('x'.repeat(257) + 'y')?.code).toBe('too_long');
    expect(passwordIssue('Password123')?.code).toBe('common_password');
    expect(passwordIssue('aaaaaaaaaaa')?.code).toBe('common_password');
    expect(passwordIssue('me@example.com', 'ME@example.com')?.code).toBe('common_password');
    expect(passwordIssue(42)?.code).toBe('required');
    expect(passwordIssue('correct horse battery staple')).toBeUndefined();
  });
});

describe('the password hasher', () => {
  it('runs at most `concurrency` hashes at once, the others in arrival order', async () => {
    const hasher = new PasswordHasher({ log2N: 10, concurrency: 2 });
    const hash = await hasher.hash('a long passphrase');
    const checks = Array.from({ length: 6 }, (_, i) => hasher.verify(i % 2 === 0 ? 'a long passphrase' : 'wrong passphrase', hash));
    expect(hasher.queued).toBe(4);
    expect(await Promise.all(checks)).toEqual([true, false, true, false, true, false]);
    expect(hasher.queued).toBe(0);
  });
});
