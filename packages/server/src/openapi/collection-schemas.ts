import type { Collection, Field } from '@causeway/core';
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

export function componentName(collection: Collection, suffix: 'Record' | 'Create' | 'Update'): string {
  return `${collection.name}${suffix}`;
}

/** Record, create and update schemas of a collection. */
export function collectionSchemas(collection: Collection): Record<string, JsonSchema> {
  // Hidden fields (password hashes) are never returned nor accepted; read-only ones only admins may send.
  const visible = collection.fields.filter((f) => !f.hidden);
  const properties = Object.fromEntries(visible.map((f) => [f.name, { ...nullable(fieldSchema(f), f), ...(f.readOnly && { readOnly: true }) }]));
  const expandable = collection.fields.filter((f) => f.type === 'relation');
  const expand: JsonSchema = {
    type: 'object',
    description: 'Related records, present when asked for with `expand`.',
    properties: Object.fromEntries(expandable.map((f) => [f.name, f.type === 'relation' && f.multiple ? { type: 'array', items: { type: 'object' } } : { type: 'object' }])),
  };
  return {
    [componentName(collection, 'Record')]: {
      type: 'object',
      properties: { ...systemProperties, ...properties, ...(expandable.length > 0 && { expand }) },
      required: ['id', 'created', 'updated', ...visible.map((f) => f.name)],
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
