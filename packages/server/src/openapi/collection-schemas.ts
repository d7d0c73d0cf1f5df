import { fieldTypeOf, isRestricted, readersOf, type Collection, type Field } from '@causeway/core';
import type { JsonSchema } from './openapi-types.js';

/** The JSON Schema of one field's value as the API returns and accepts it. */
export function fieldSchema(field: Field): JsonSchema {
  return fieldTypeOf(field).jsonSchema(field);
}

/** Lists are never null (an empty list is []); a JSON document may be any value; other optional fields may be null. */
function nullable(schema: JsonSchema, field: Field): JsonSchema {
  if (fieldTypeOf(field).shape(field) !== 'scalar' || field.required) return schema;
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
