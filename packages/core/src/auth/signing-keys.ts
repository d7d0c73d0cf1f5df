import { randomBytes } from 'node:crypto';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';
import { readInternalSetting, settleInternalSetting, writeInternalSetting } from '../settings/internal-settings.js';
import type { KeyRing, SigningKey } from './access-tokens.js';

/** A signing key as stored: base64url secret, creation time for operators. */
export interface StoredKey {
  kid: string;
  secret: string;
  created: string;
}

/** Where the keys a ring is built from come from, and how to read them again after a rotation. */
export interface KeySource {
  /** The keys in force. */
  readonly ring: KeyRing;
  /** Reads the keys again (on a schedule); resolves true when they changed. */
  reload(): Promise<boolean>;
  /** The same on behalf of a token naming an unknown key: at most once a second, so forged tokens cannot flood the database. */
  refresh(): Promise<boolean>;
}

const keysSetting = 'token_keys';

const refreshIntervalMs = 1000;

function newStoredKey(): StoredKey {
  return { kid: randomBytes(6).toString('base64url'), secret: randomBytes(32).toString('base64url'), created: new Date().toISOString() };
}

function toKeyRing(keys: readonly StoredKey[]): KeyRing {
  const verifying = keys.map((key): SigningKey => ({ kid: key.kid, secret: Buffer.from(key.secret, 'base64url') }));
  return { current: verifying[0]!, verifying };
}

/** One key from configuration (`CAUSEWAY_TOKEN_SECRET`): nothing to re-read. */
export function fixedKeySource(secret: string): KeySource {
  const key: SigningKey = { kid: 'config', secret: Buffer.from(secret, 'utf8') };
  return { ring: { current: key, verifying: [key] }, reload: async () => false, refresh: async () => false };
}

/**
 * Access-token keys kept in the database, so every instance sharing it signs and verifies with the same keys
 * and a rotation reaches all of them. The first key signs; the others still verify.
 */
export class StoredKeySource implements KeySource {
  private keys: KeyRing;
  private lastRefresh = 0;
  private reading: Promise<boolean> | undefined;

  private constructor(
    private readonly db: SqlDatabase,
    private stored: StoredKey[],
  ) {
    this.keys = toKeyRing(stored);
  }

  /**
   * The stored keys; a database without any gets `initial()` (keys an earlier version kept in a file) or a
   * fresh key (instances starting together agree on one: see `settleInternalSetting`).
   */
  static async open(db: SqlDatabase, initial: () => StoredKey[] | undefined = () => undefined): Promise<StoredKeySource> {
    const stored = parseKeys(await settleInternalSetting(db, sqlTemplate(db.dialect), keysSetting, () => JSON.stringify(initial() ?? [newStoredKey()])));
    if (!stored) throw new Error('The stored signing keys are unreadable.');
    return new StoredKeySource(db, stored);
  }

  get ring(): KeyRing {
    return this.keys;
  }

  refresh(): Promise<boolean> {
    if (Date.now() - this.lastRefresh < refreshIntervalMs) return this.reading ?? Promise.resolve(false);
    this.lastRefresh = Date.now();
    return this.reload();
  }

  reload(): Promise<boolean> {
    this.reading ??= readKeys(this.db, sqlTemplate(this.db.dialect))
      .then((stored) => {
        if (!stored || JSON.stringify(stored) === JSON.stringify(this.stored)) return false;
        this.stored = stored;
        this.keys = toKeyRing(stored);
        return true;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}

/**
 * Puts a new signing key first and keeps only the previous one for verification: tokens signed before the
 * rotation stay valid until they expire; tokens signed with older keys stop working.
 */
export async function rotateStoredKeys(db: SqlDatabase): Promise<{ kid: string; kept: string[] }> {
  const s = sqlTemplate(db.dialect);
  return db.transaction(async (tx) => {
    const previous = ((await readKeys(tx, s)) ?? []).slice(0, 1);
    const fresh = newStoredKey();
    await writeInternalSetting(tx, s, keysSetting, JSON.stringify([fresh, ...previous]));
    return { kid: fresh.kid, kept: previous.map((key) => key.kid) };
  });
}

async function readKeys(executor: SqlExecutor, s: SqlTemplate): Promise<StoredKey[] | undefined> {
  const value = await readInternalSetting(executor, s, keysSetting);
  return value === undefined ? undefined : parseKeys(value);
}

function parseKeys(value: string): StoredKey[] | undefined {
  const keys = JSON.parse(value) as StoredKey[];
  return Array.isArray(keys) && keys.length > 0 ? keys : undefined;
}
