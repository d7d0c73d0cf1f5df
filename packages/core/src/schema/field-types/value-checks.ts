/** Building blocks the field types' value checks share. */

import type { ValueCheck } from './field-type-descriptor.js';

export const ok = (value: unknown): ValueCheck => ({ ok: true, value });
export const fail = (code: string, message: string): ValueCheck => ({ ok: false, issue: { code, message } });

/** A list of distinct strings, each one of `allowed` when given. */
export function checkList(value: unknown, what: string, allowed?: readonly string[]): ValueCheck {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return fail('type', `must be a list of ${what}`);
  }
  if (new Set(value).size !== value.length) return fail('duplicate', 'must not list the same value twice');
  const unknown = allowed ? value.find((item) => !allowed.includes(item)) : undefined;
  if (unknown !== undefined) return fail('not_allowed', `'${unknown}' is not one of: ${allowed?.join(', ')}`);
  return ok(value);
}

/** `min` and `max` options that must not cross. */
export function checkRange(field: { min?: number; max?: number }) {
  return field.min !== undefined && field.max !== undefined && field.min > field.max ? { code: 'range', message: 'min must not exceed max' } : undefined;
}
