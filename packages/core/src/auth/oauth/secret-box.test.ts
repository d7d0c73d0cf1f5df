import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, for the same context only', () => {
    const sealed = box.seal('client secret', 'users/google');
    expect(sealed).not.toContain('client secret');
    expect(box.open(sealed, 'users/google')).toBe('client secret');
    expect(box.open(sealed, 'staff/google')).toBeUndefined();
  });

  it('seals the same text differently each time', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('opens nothing sealed with another key, tampered with, or malformed', () => {
    const sealed = box.seal('client secret', 'users/google');
    expect(new SecretBox(randomBytes(32)).open(sealed, 'users/google')).toBeUndefined();
    const [v, iv, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    expect(box.open(`${v}.${iv}.${flipped.toString('base64url')}`, 'users/google')).toBeUndefined();
    for (const junk of ['', 'v1', 'v1..', 'v2.a.b', 'v1.AAAA.AA']) expect(box.open(junk, 'users/google')).toBeUndefined();
  });
});
