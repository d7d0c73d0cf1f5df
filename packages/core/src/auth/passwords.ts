import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { FieldIssue } from '../errors/causeway-error.js';
import { commonPasswords } from './common-passwords.js';

export const minPasswordLength = 8;
export const maxPasswordLength = 256;

/**
 * scrypt cost as log2(N). 15 with r=8, p=3 is one of OWASP's equivalent scrypt settings (32 MiB per hash);
 * tests lower it, and every hash records its own parameters, so changing it never breaks old hashes.
 */
export interface PasswordHashing {
  log2N: number;
  /** Hashes that may run at once (see PasswordHasher); 2 by default. */
  concurrency?: number;
}

export const defaultPasswordHashing: PasswordHashing = { log2N: 15 };

const blockSize = 8;
const parallelism = 3;
const keyLength = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const scryptOptions = (N: number, r: number, p: number): ScryptOptions => ({ N, r, p, maxmem: 256 * N * r + 1024 * 1024 });

/** `scrypt$N$r$p$salt$hash`, base64url: self-describing, so the cost can change later. */
export async function hashPassword(password: string, hashing: PasswordHashing = defaultPasswordHashing): Promise<string> {
  const N = 2 ** hashing.log2N;
  const salt = randomBytes(16);
  const key = await derive(password, salt, scryptOptions(N, blockSize, parallelism));
  return ['scrypt', N, blockSize, parallelism, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time comparison; a malformed or missing hash is simply a mismatch. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), scryptOptions(N, r, p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash of a random password at the current cost: sign-in for an unknown email verifies against it,
 * so it takes as long as a wrong password for a real account.
 */
export function decoyHash(hashing: PasswordHashing): Promise<string> {
  return hashPassword(randomBytes(16).toString('hex'), hashing);
}

/** Length bounds and a list of the most common passwords (NIST SP 800-63B asks for both). */
export function passwordIssue(password: unknown, email?: string): FieldIssue | undefined {
  if (typeof password !== 'string') return { code: 'required', message: 'is required' };
  const length = [...password].length;
  if (length < minPasswordLength) return { code: 'too_short', message: `must be at least ${minPasswordLength} characters` };
  if (length > maxPasswordLength) return { code: 'too_long', message: `must be at most ${maxPasswordLength} characters` };
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) return { code: 'common_password', message: 'is one of the most common passwords; choose another' };
  if (email && lower === email.toLowerCase()) return { code: 'common_password', message: 'must not be your email address' };
  if (/^(.)\1*$/u.test(password)) return { code: 'common_password', message: 'must not repeat one character' };
  return undefined;
}
