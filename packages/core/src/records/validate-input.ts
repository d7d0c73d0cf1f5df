import { CausewayError, type FieldIssue } from '../errors/causeway-error.js';
import type { Collection } from '../schema/collection.js';
import { fieldTypeOf, isMultiValued } from '../schema/field.js';
import { isBlank, validateValue } from '../values/validate-value.js';
import type { CausewayRecord } from './record.js';

export type WriteMode = 'create' | 'update';

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

export interface ValidInput {
  /** Normalised values of the fields present in the input (plus defaults on create). */
  values: Record<string, unknown>;
  /** A client-chosen id on create. */
  id?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface InputSource {
  /** Admins (and Causeway itself) may set read-only fields. */
  privileged: boolean;
  /** Values Causeway sets itself (a password hash, `verified`): validated, but exempt from read-only and hidden. */
  system?: Readonly<Record<string, unknown>>;
}

/**
 * Checks a create or update body against the collection and lists every problem at once.
 * On update only present fields are checked, against `current` for `required`.
 */
export function validateInput(collection: Collection, body: unknown, mode: WriteMode, source: InputSource, current?: CausewayRecord): ValidInput {
  if (!isPlainObject(body)) throw new CausewayError('VALIDATION_FAILED', 'The record must be a JSON object.');
  const issues: Record<string, FieldIssue> = {};
  for (const field of collection.fields) {
    if (!Object.hasOwn(body, field.name)) continue;
    if (field.hidden) issues[field.name] = { code: 'unknown_field', message: `'${collection.name}' has no field '${field.name}'` };
    else if (field.readOnly && !source.privileged) issues[field.name] = { code: 'read_only', message: `'${field.name}' can only be set by an admin` };
  }
  const data: Record<string, unknown> = { ...body, ...source.system };
  const values: Record<string, unknown> = {};
  let id: string | undefined;
  for (const key of Object.keys(data)) {
    if (issues[key]) continue;
    if (key === 'id' && mode === 'create') {
      // An account's id names it in sessions, tokens and rules: a chosen id could be a deleted account's.
      if (collection.type === 'auth') issues.id = { code: 'read_only', message: "accounts' ids are chosen by the server" };
      else if (typeof data.id !== 'string' || !idPattern.test(data.id)) issues.id = { code: 'id', message: 'must be 1-64 characters of A-Z a-z 0-9 _ -' };
      else id = data.id;
    } else if (key === 'created' || key === 'updated' || key === 'id') {
      issues[key] = { code: 'read_only', message: `'${key}' is set by the server` };
    } else if (!collection.fields.some((f) => f.name === key)) {
      issues[key] = { code: 'unknown_field', message: `'${collection.name}' has no field '${key}'` };
    }
  }
  for (const field of collection.fields) {
    if (issues[field.name]) continue;
    const present = Object.hasOwn(data, field.name);
    let value = present ? data[field.name] : undefined;
    if (!present && mode === 'create' && 'default' in field && field.default !== undefined) value = structuredClone(field.default);
    if (value === undefined && mode === 'update') {
      if (field.required && current && isBlank(current[field.name])) issues[field.name] = { code: 'required', message: 'is required' };
      continue;
    }
    // null, and "" for a non-text scalar, mean "no value"; anything else must have the field's type.
    if (value === undefined || value === null || (value === '' && fieldTypeOf(field).emptyStringIsNull(field))) {
      if (field.required) issues[field.name] = { code: 'required', message: 'is required' };
      else values[field.name] = isMultiValued(field) ? [] : null;
      continue;
    }
    const check = validateValue(field, value);
    if (!check.ok) issues[field.name] = check.issue;
    else if (field.required && isBlank(check.value)) issues[field.name] = { code: 'required', message: 'is required' };
    else values[field.name] = check.value;
  }
  if (Object.keys(issues).length > 0) {
    throw new CausewayError('VALIDATION_FAILED', `The record does not fit collection '${collection.name}'.`, { fields: issues });
  }
  return id === undefined ? { values } : { values, id };
}
