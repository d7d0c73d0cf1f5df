import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyRing, SigningKey } from '@causeway/core';

interface KeyFileEntry {
  kid: string;
  secret: string;
  created: string;
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, 'token-keys.json');
}

function newEntry(): KeyFileEntry {
  return { kid: randomBytes(6).toString('base64url'), secret: randomBytes(32).toString('base64url'), created: new Date().toISOString() };
}

function toKey(entry: KeyFileEntry): SigningKey {
  return { kid: entry.kid, secret: Buffer.from(entry.secret, 'base64url') };
}

function readEntries(file: string): KeyFileEntry[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: KeyFileEntry[] };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error(`${file} holds no keys`);
  return parsed.keys;
}

/** Written beside and renamed over, so a crash never leaves half a key file; readable by the owner only. */
function writeEntries(file: string, keys: KeyFileEntry[]): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * The access-token keys: from config (`tokenSecret`, one key) or from `token-keys.json` in the data directory,
 * created on first start. The first key signs; the others still verify, so rotation signs nobody out.
 */
export function loadKeyRing(dataDir: string, tokenSecret: string | undefined): KeyRing {
  if (tokenSecret !== undefined) {
    const key = { kid: 'config', secret: Buffer.from(tokenSecret, 'utf8') };
    return { current: key, verifying: [key] };
  }
  const file = keyFilePath(dataDir);
  if (!existsSync(file)) writeEntries(file, [newEntry()]);
  const keys = readEntries(file).map(toKey);
  return { current: keys[0]!, verifying: keys };
}

/**
 * Puts a new signing key first and keeps only the previous one for verification: tokens signed before the
 * rotation stay valid until they expire; tokens signed with older keys stop working.
 */
export function rotateKeys(dataDir: string): { kid: string; kept: string[] } {
  const file = keyFilePath(dataDir);
  const previous = existsSync(file) ? readEntries(file).slice(0, 1) : [];
  const fresh = newEntry();
  writeEntries(file, [fresh, ...previous]);
  return { kid: fresh.kid, kept: previous.map((k) => k.kid) };
}
