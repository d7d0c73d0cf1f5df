import { randomBytes } from 'node:crypto';

/** A short random id with a readable prefix (`c_` collections, `f_` fields). */
export function newId(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('base64url')}`;
}
