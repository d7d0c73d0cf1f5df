import type { LiteralValue } from '../query/filter-ast.js';
import type { Collection, RuleAction } from '../schema/collection.js';
import { fieldTypeOf } from '../schema/field.js';
import { canonicalJson } from '../values/canonical-json.js';
import type { Caller } from './caller.js';

/** The HTTP verb each action stands for, whatever the surface: `@request.method` in rules. */
const methods: Record<RuleAction, string> = { list: 'GET', view: 'GET', create: 'POST', update: 'PATCH', delete: 'DELETE' };

function scalar(value: unknown): LiteralValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) ? value : null;
}

/**
 * Values of the `@request.*` variables for one request. Anonymous callers have `@request.auth.id = ""`,
 * so `owner = @request.auth.id` matches nothing for them (null would turn it into `owner is null`).
 * Missing values are null; list and object values are null too, since a variable holds one value.
 */
export function requestVariables(caller: Caller, action: RuleAction, body: Readonly<Record<string, unknown>> = {}): (name: string) => LiteralValue | undefined {
  return (name) => {
    if (name === 'request.method') return methods[action];
    if (name.startsWith('request.auth.')) {
      const key = name.slice('request.auth.'.length);
      if (caller.kind === 'user') {
        if (key === 'collectionName') return caller.collection;
        return Object.hasOwn(caller.record, key) ? scalar(caller.record[key]) : null;
      }
      if (caller.kind === 'admin') return key === 'id' ? caller.id : key === 'collectionName' ? '_admins' : key === 'email' ? caller.email : null;
      return key === 'id' || key === 'collectionName' ? '' : null;
    }
    if (name.startsWith('request.body.')) {
      const key = name.slice('request.body.'.length);
      return Object.hasOwn(body, key) ? scalar(body[key]) : null;
    }
    return undefined;
  };
}

/**
 * `@request.body` for a write: the fields the request sent, in the form they will be stored — validated and
 * normalised (a datetime in UTC, a date as YYYY-MM-DD), lists and json values as their canonical JSON text, so a
 * sent value is never mistaken for an absent one. Fields not sent are absent (the variable reads null).
 */
export function ruleBody(collection: Collection, sent: unknown, values: Readonly<Record<string, unknown>>): Record<string, LiteralValue> {
  const body: Record<string, LiteralValue> = {};
  if (typeof sent !== 'object' || sent === null) return body;
  for (const field of collection.fields) {
    if (!Object.hasOwn(sent, field.name) || !Object.hasOwn(values, field.name)) continue;
    const value = values[field.name];
    body[field.name] = fieldTypeOf(field).shape(field) === 'scalar' ? scalar(value) : canonicalJson(value ?? null);
  }
  return body;
}

/** The variables a rule of `collection` may name, all null: enough to check a rule when it is saved. */
export function declaredVariables(collection: Collection): (name: string) => LiteralValue | undefined {
  return (name) => {
    if (name === 'request.method') return null;
    if (/^request\.auth\.[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return null;
    const body = /^request\.body\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(name);
    if (body && collection.fields.some((f) => f.name === body[1])) return null;
    return undefined;
  };
}
