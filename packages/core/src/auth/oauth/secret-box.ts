import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SqlDatabase } from '../../sql/sql-database.js';
import { sqlTemplate } from '../../sql/sql-template.js';
import { settleInternalSetting } from '../../settings/internal-settings.js';

const keySetting = 'oauth_secret_key';
const version = 'v1';

/**
 * Encrypts the secrets Causeway must read back (OAuth client secrets) with AES-256-GCM. The secret's purpose
 * (`context`, such as `users/google`) is bound in as associated data, so a stored secret cannot be moved to another
 * provider's row and still open.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {}

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${version}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  /** The plain text, or undefined when it was sealed with another key or for another context. */
  open(sealed: string, context: string): string | undefined {
    const [v, iv, body] = sealed.split('.');
    if (v !== version || !iv || !body) return undefined;
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/**
 * The key secrets are sealed with: derived (HKDF-SHA-256) from the configured token secret when there is one, so a
 * copy of the database alone opens nothing; otherwise a random key kept in the database's internal settings, which
 * keeps secrets out of exports and logs but not from someone holding the whole database (docs/auth.md).
 */
export async function openSecretBox(db: SqlDatabase, tokenSecret: string | undefined): Promise<SecretBox> {
  if (tokenSecret !== undefined) return new SecretBox(Buffer.from(hkdfSync('sha256', tokenSecret, 'causeway', 'oauth client secrets', 32)));
  const stored = await settleInternalSetting(db, sqlTemplate(db.dialect), keySetting, () => randomBytes(32).toString('base64url'));
  return new SecretBox(Buffer.from(stored, 'base64url'));
}
