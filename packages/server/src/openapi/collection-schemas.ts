import { isRestricted, readersOf, type Collection, type Field } from '@causeway/core';
import type { JsonSchema } from './openapi-types.js';

/** The JSON Schema of one field's value as the API returns and accepts it. */
export function fieldSchema(field: Field): JsonSchema {
  switch (field.type) {
    case 'text':
      return { type: 'string', ...(field.min !== undefined && { minLength: field.min }), ...(field.max !== undefined && { maxLength: field.max }), ...(field.pattern !== undefined && { pattern: field.pattern }) };
    case 'number':
      return { type: field.integer ? 'integer' : 'number', ...(field.min !== undefined && { minimum: field.min }), ...(field.max !== undefined && { maximum: field.max }) };
    case 'bool':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'url':
      return { type: 'string', format: 'uri' };
    case 'select':
      return field.multiple ? { type: 'array', items: { type: 'string', enum: field.values }, uniqueItems: true } : { type: 'string', enum: field.values };
    case 'json':
      return { description: 'Any JSON value.' };
    case 'relation':
      return field.multiple
        ? { type: 'array', items: { type: 'string' }, uniqueItems: true, description: `Ids of '${field.collection}' records.` }
        : { type: 'string', description: `Id of a '${field.collection}' record.` };
    case 'file': {
      const about = `Download at /api/files/{collection}/{id}/{name}${field.protected ? ' with a file token' : ''}; upload as multipart/form-data.`;
      return field.multiple
        ? { type: 'array', items: { type: 'string' }, uniqueItems: true, description: `Stored file names. ${about}` }
        : { type: 'string', description: `Stored file name. ${about}` };
    }
  }
}

/** Lists are never null (an empty list is []); json may be any value; other optional fields may be null. */
function nullable(schema: JsonSchema, field: Field): JsonSchema {
  if (field.type === 'json' || schema.type === 'array' || field.required) return schema;
  if (schema.enum) return { ...schema, type: ['string', 'null'], enum: [...schema.enum, null] };
  return { ...schema, type: [schema.type as string, 'null'] };
}

const systemProperties: Record<string, JsonSchema> = {
  id: { type: 'string', description: 'Lower-case ULID unless chosen by the client.' },
  created: { type: 'string', format: 'date-time' },
  updated: { type: 'string', format: 'date-time' },
};

export type ComponentSuffix = 'Record' | 'Selected' | 'Create' | 'Update';

export function componentName(collection: Pick<Collection, 'name'>, suffix: ComponentSuffix): string {
  return `${collection.name}${suffix}`;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/**
 * `expand`: each relation's records as `fields=` may narrow them (`author.name`), so the target's Selected schema;
 * a relation to a collection that no longer exists cannot be expanded, so it has no entry.
 */
function expandSchema(collection: Collection, exists: (name: string) => boolean): JsonSchema | undefined {
  const relations = collection.fields.flatMap((f) => (f.type === 'relation' && exists(f.collection) ? [f] : []));
  if (relations.length === 0) return undefined;
  return {
    type: 'object',
    description: 'Related records, present when asked for with `expand`; a to-one relation whose record is gone or not viewable has no entry.',
    properties: Object.fromEntries(relations.map((f) => [f.name, f.multiple ? { type: 'array', items: ref(componentName({ name: f.collection }, 'Selected')) } : ref(componentName({ name: f.collection }, 'Selected'))])),
    additionalProperties: false,
  };
}

/**
 * Record, selected-record, create and update schemas of a collection. `Record` is what writes, sign-in and reads
 * without `fields=` return: every visible property. `Selected` is what reads may return: the same properties,
 * none required, since `fields=` keeps only those it names (`id` too). Neither admits other properties.
 */
export function collectionSchemas(collection: Collection, exists: (name: string) => boolean = () => true): Record<string, JsonSchema> {
  // Hidden fields (password hashes) are never returned nor accepted, not even to admins; read-only ones only admins may send.
  const visible = collection.fields.filter((f) => !f.hidden);
  const properties = Object.fromEntries(visible.map((f) => [f.name, { ...nullable(fieldSchema(f), f), ...(f.readOnly && { readOnly: true }) }]));
  // A field not everyone may read is absent from the records of those who may not: not required, and said so.
  const restricted = visible.filter((f) => isRestricted(collection, f));
  const readProperties = Object.fromEntries(visible.map((f) => [f.name, restricted.includes(f) ? { ...properties[f.name], description: `${readersOf(collection, f)} Absent for others.` } : properties[f.name]]));
  const expand = expandSchema(collection, exists);
  const read = { ...systemProperties, ...readProperties, ...(expand && { expand }) };
  return {
    [componentName(collection, 'Record')]: {
      type: 'object',
      properties: read,
      required: ['id', 'created', 'updated', ...visible.filter((f) => !restricted.includes(f)).map((f) => f.name)],
      additionalProperties: false,
    },
    [componentName(collection, 'Selected')]: {
      type: 'object',
      description: `A '${collection.name}' record as a read returns it: every property of ${componentName(collection, 'Record')} unless \`fields\` names some, then only those (plus \`expand\`).`,
      properties: read,
      additionalProperties: false,
    },
    [componentName(collection, 'Create')]: {
      type: 'object',
      properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, ...properties },
      required: visible.filter((f) => f.required && !f.readOnly && !('default' in f && f.default !== undefined)).map((f) => f.name),
      additionalProperties: false,
    },
    [componentName(collection, 'Update')]: { type: 'object', properties, additionalProperties: false },
  };
}
