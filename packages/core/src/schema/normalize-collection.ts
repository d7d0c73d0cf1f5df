import { CausewayError, type FieldIssue } from '../errors/causeway-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import { isBlank, validateValue } from '../values/validate-value.js';
import { nowIso } from '../values/dates.js';
import { collectionInputSchema, type FieldInput } from './collection-input.js';
import { fieldTypeOf, fieldTypeRegistry, type Field } from './field.js';
import { checkRules } from '../rules/check-rules.js';
import { withAccountFields } from './account-fields.js';
import { newId } from './new-id.js';
import { isSystemField, ruleKeys, type Collection, type CollectionRules, type IndexDefinition } from './collection.js';
import type { SchemaLookup } from './schema-lookup.js';

const reservedFieldNames = new Set(['id', 'created', 'updated', 'expand']);


/** Fills in a field's defaults, keeping the id of the field it replaces (matched by id, else by name). */
function toField(input: FieldInput, previous: Collection | undefined): Field {
  const before = previous?.fields.find((f) => (input.id ? f.id === input.id : f.name === input.name));
  const base = {
    id: input.id ?? before?.id ?? newId('f_'),
    required: input.required ?? false,
    unique: input.unique ?? false,
    ...(input.hidden ? { hidden: true } : {}),
    // Kept as given here (even `everyone`): an auth collection's email tells an explicit choice from none.
    ...(input.visibility ? { visibility: input.visibility } : {}),
    ...(input.readOnly ? { readOnly: true } : {}),
  };
  return fieldTypeRegistry[input.type].normalize(input as never, base);
}

function checkField(field: Field, collectionName: string, schema: SchemaLookup): FieldIssue | undefined {
  const type = fieldTypeOf(field);
  const issue = type.checkDefinition(field, { collection: collectionName, schema });
  if (issue) return issue;
  if (field.unique && !type.sortable(field)) return { code: 'unique', message: `a ${field.type} list or json field cannot be unique` };
  if ('default' in field && field.default !== undefined) {
    const check = validateValue(field, field.default);
    if (!check.ok) return { code: 'default', message: `default ${check.issue.message}` };
    if (field.required && isBlank(field.default)) return { code: 'default', message: 'default of a required field must not be empty' };
    (field as { default?: unknown }).default = check.value;
  }
  return undefined;
}

function toIndexes(collectionName: string, inputs: { name?: string; fields: string[]; unique?: boolean }[], fields: Field[], issues: Record<string, FieldIssue>): IndexDefinition[] {
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    for (const name of input.fields) {
      const field = fields.find((f) => f.name === name);
      if (!field && !isSystemField(name)) issues[`indexes.${i}.fields`] = { code: 'unknown_field', message: `unknown field '${name}'` };
      else if (field && !fieldTypeOf(field).sortable(field)) issues[`indexes.${i}.fields`] = { code: 'not_indexable', message: `field '${name}' cannot be indexed` };
    }
    const name = input.name ?? `idx_${collectionName}_${input.fields.join('_')}`.slice(0, 63);
    if (seen.has(name.toLowerCase())) issues[`indexes.${i}.name`] = { code: 'duplicate', message: `index name '${name}' is used twice` };
    seen.add(name.toLowerCase());
    return { name, fields: input.fields, unique: input.unique ?? false };
  });
}

/**
 * Checks a collection definition against the rest of the schema and returns its stored form.
 * `previous` is the collection being altered, whose field ids are kept so renames are recognised.
 */
export function normalizeCollection(input: unknown, schema: SchemaLookup, previous?: Collection): Collection {
  const parsed = collectionInputSchema.safeParse(input);
  if (!parsed.success) throw fromZodError('INVALID_SCHEMA', 'The collection definition is invalid.', parsed.error);
  const { name } = parsed.data;
  const issues: Record<string, FieldIssue> = {};
  // A stable key order keeps exported schema files readable and their diffs small.
  const fields = parsed.data.fields.map((f) => {
    const { id, name: fieldName, type, required, unique, ...options } = toField(f, previous);
    return { id, name: fieldName, type, required, unique, ...options } as Field;
  });
  const type = parsed.data.type ?? previous?.type ?? 'base';
  if (type === 'auth') withAccountFields(fields, previous);
  fields.forEach((field, i) => {
    if (field.visibility === 'everyone' && !(type === 'auth' && field.name === 'email')) delete field.visibility;
    // Owner means the account itself; a base collection's records have no such owner to tell apart.
    if (field.visibility === 'owner' && type !== 'auth') issues[`fields.${i}`] = { code: 'visibility', message: "'owner' visibility is only for fields of auth collections (the account itself)" };
  });
  const names = new Set<string>();
  const ids = new Set<string>();
  fields.forEach((field, i) => {
    const key = field.name.toLowerCase();
    if (reservedFieldNames.has(key)) issues[`fields.${i}.name`] = { code: 'reserved', message: `'${field.name}' is a reserved name` };
    else if (names.has(key)) issues[`fields.${i}.name`] = { code: 'duplicate', message: `field name '${field.name}' is used twice` };
    if (ids.has(field.id)) issues[`fields.${i}.id`] = { code: 'duplicate', message: `field id '${field.id}' is used twice` };
    names.add(key);
    ids.add(field.id);
    const issue = checkField(field, name, schema);
    if (issue) issues[`fields.${i}`] = issue;
  });
  const indexes = toIndexes(name, parsed.data.indexes, fields, issues);
  if (previous && previous.type !== type) issues.type = { code: 'type_change', message: `must stay '${previous.type}'` };
  if (Object.keys(issues).length > 0) throw new CausewayError('INVALID_SCHEMA', 'The collection definition is invalid.', { fields: issues });
  const now = nowIso();
  const rules = Object.fromEntries(ruleKeys.map((key) => [key, parsed.data[key] ?? null])) as CollectionRules;
  const collection: Collection = {
    id: previous?.id ?? parsed.data.id ?? newId('c_'),
    name,
    type,
    fields,
    indexes,
    ...rules,
    created: previous?.created ?? now,
    updated: now,
  };
  checkRules(collection, schema);
  return collection;
}
