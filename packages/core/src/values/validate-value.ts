import type { FieldIssue } from '../errors/causeway-error.js';
import type { Field, TextField } from '../schema/field.js';
import { normalizeDate, normalizeDateTime } from './dates.js';
import { jsonDeeperThan, maxJsonDepth } from './json-depth.js';
import { maxPatternInputLength } from './pattern-safety.js';
import { storedNamePattern } from '../files/file-names.js';
import { isStorableText, unstorableTextMessage } from './storable-text.js';

export type ValueCheck = { ok: true; value: unknown } | { ok: false; issue: FieldIssue };

const ok = (value: unknown): ValueCheck => ({ ok: true, value });
const fail = (code: string, message: string): ValueCheck => ({ ok: false, issue: { code, message } });

// A pragmatic address check: one @, no spaces, a dot in the domain. Deliverability is the mailer's business.
const emailPattern = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const patternCache = new Map<string, RegExp>();

function compiledPattern(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    patternCache.set(pattern, regex);
  }
  return regex;
}

function checkText(field: TextField, value: string): ValueCheck {
  const length = [...value].length;
  if (field.min !== undefined && value !== '' && length < field.min) return fail('too_short', `must be at least ${field.min} characters`);
  if (field.max !== undefined && length > field.max) return fail('too_long', `must be at most ${field.max} characters`);
  // Patterns are checked for catastrophic backtracking when defined; the cap bounds what remains (polynomial).
  if (field.pattern !== undefined && value.length > maxPatternInputLength) return fail('pattern', `must be at most ${maxPatternInputLength} characters to be checked against the pattern`);
  if (field.pattern !== undefined && value !== '' && !compiledPattern(field.pattern).test(value)) {
    return fail('pattern', `must match the pattern ${field.pattern}`);
  }
  return ok(value);
}

function checkList(value: unknown, what: string, allowed?: readonly string[]): ValueCheck {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return fail('type', `must be a list of ${what}`);
  }
  if (new Set(value).size !== value.length) return fail('duplicate', 'must not list the same value twice');
  const unknown = allowed ? value.find((item) => !allowed.includes(item)) : undefined;
  if (unknown !== undefined) return fail('not_allowed', `'${unknown}' is not one of: ${allowed?.join(', ')}`);
  return ok(value);
}

/** Strings, and strings in lists, that every database can hold (json values are stored as escaped JSON text). */
function storable(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  return !Array.isArray(value) || value.every((item) => typeof item !== 'string' || isStorableText(item));
}

/**
 * Checks one non-null value against its field and returns it normalised (dates to their stored form).
 * Presence (`required`) and relation targets are checked by the caller, which sees the whole record.
 */
export function validateValue(field: Field, value: unknown): ValueCheck {
  if (field.type !== 'json' && !storable(value)) return fail('text', unstorableTextMessage);
  switch (field.type) {
    case 'text':
      return typeof value === 'string' ? checkText(field, value) : fail('type', 'must be a string');
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('type', 'must be a number');
      if (field.integer && !Number.isSafeInteger(value)) return fail('integer', 'must be a whole number');
      if (field.min !== undefined && value < field.min) return fail('too_small', `must be at least ${field.min}`);
      if (field.max !== undefined && value > field.max) return fail('too_large', `must be at most ${field.max}`);
      return ok(value);
    }
    case 'bool':
      return typeof value === 'boolean' ? ok(value) : fail('type', 'must be true or false');
    case 'date': {
      const date = typeof value === 'string' ? normalizeDate(value) : undefined;
      return date === undefined ? fail('date', 'must be a date as YYYY-MM-DD') : ok(date);
    }
    case 'datetime': {
      const datetime = typeof value === 'string' ? normalizeDateTime(value) : undefined;
      return datetime === undefined ? fail('datetime', 'must be an ISO 8601 date-time') : ok(datetime);
    }
    case 'email':
      if (typeof value !== 'string' || value.length > 254 || !emailPattern.test(value)) {
        return fail('email', 'must be an email address');
      }
      return ok(value);
    case 'url': {
      if (typeof value !== 'string' || !URL.canParse(value)) return fail('url', 'must be an absolute URL');
      const { protocol } = new URL(value);
      return protocol === 'http:' || protocol === 'https:' ? ok(value) : fail('url', 'must be an http or https URL');
    }
    case 'select':
      if (field.multiple) return checkList(value, 'strings', field.values);
      if (typeof value !== 'string') return fail('type', 'must be a string');
      return field.values.includes(value) ? ok(value) : fail('not_allowed', `must be one of: ${field.values.join(', ')}`);
    case 'json':
      return jsonDeeperThan(value, maxJsonDepth) ? fail('too_deep', `must not nest objects and arrays more than ${maxJsonDepth} levels deep`) : ok(value);
    case 'file':
      if (field.multiple) {
        const list = checkList(value, 'file names');
        return list.ok && !(value as string[]).every((name) => storedNamePattern.test(name)) ? fail('file_name', 'must be names of files this record holds') : list;
      }
      return typeof value === 'string' && storedNamePattern.test(value) ? ok(value) : fail('file_name', 'must be the name of a file this record holds');
    case 'relation':
      if (field.multiple) return checkList(value, 'record ids');
      return typeof value === 'string' && value !== '' ? ok(value) : fail('type', 'must be a record id');
  }
}

/** Whether a value counts as missing for `required`: null, an empty string, an empty list. */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}
