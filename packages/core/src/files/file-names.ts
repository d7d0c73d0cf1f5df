import { randomBytes } from 'node:crypto';

/**
 * What a stored file name looks like: a sanitised stem, `_`, ten random characters, and the extension of the
 * type sniffed from the content. Nothing a client sends reaches a storage key unchecked: no path parts, no
 * dots but the extension's, nothing a shell or a URL would read specially.
 */
export const storedNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,80}_[a-z0-9]{10}\.[a-z0-9]{1,10}$/;

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomSuffix(): string {
  // 36^10 ≈ 3.7e15 names per stem and record: a collision is not a practical concern, and the key includes
  // the record id, so one would only ever be between two uploads to the same record.
  return [...randomBytes(10)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * The name a file is stored under, from the name the client gave (which may hold anything: path parts,
 * `..`, control characters, a misleading extension) and the extension of its sniffed type.
 *
 * @example storedFileName('../../etc/Passwörd file.png.exe', 'png') // 'Password_file_png_3k9x0q1b2c.png'
 */
export function storedFileName(clientName: string, extension: string): string {
  const base = clientName.split(/[\\/]/).pop() ?? '';
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  const safe = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, 60);
  return `${safe || 'file'}_${randomSuffix()}.${extension}`;
}
