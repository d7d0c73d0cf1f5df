import { errorCodes } from '@causeway/core';
import type { JsonSchema, PathItem } from './openapi-types.js';

type ErrorRefs = (...statuses: number[]) => Record<string, { $ref: string }>;
type ParameterRefs = (...names: ('confirm' | 'id')[]) => { $ref: string }[];

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Schemas of the fixed parts of the API: problems, collection definitions, batch. */
export function collectionSchemaComponents(): Record<string, JsonSchema> {
  const issue: JsonSchema = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] };
  return {
    Problem: {
      type: 'object',
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer' },
        code: { type: 'string', enum: errorCodes },
        detail: { type: 'string' },
        instance: { type: 'string' },
        errors: { type: 'object', additionalProperties: issue },
        position: { type: 'integer', description: 'Character position in a filter or sort.' },
      },
      required: ['type', 'title', 'status', 'code', 'detail'],
    },
    Field: {
      type: 'object',
      description: 'A field definition; options depend on `type` (see docs/rest.md).',
      properties: {
        id: { type: 'string' },
        name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' },
        type: { type: 'string', enum: ['text', 'number', 'bool', 'date', 'datetime', 'email', 'url', 'select', 'json', 'relation'] },
        required: { type: 'boolean' },
        unique: { type: 'boolean' },
        hidden: { type: 'boolean', description: 'Never returned; not usable in client filters or sorts.' },
        readOnly: { type: 'boolean', description: 'Only admins may set it.' },
      },
      required: ['name', 'type'],
    },
    Collection: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' },
        type: { type: 'string', enum: ['base', 'auth'] },
        fields: { type: 'array', items: ref('Field') },
        indexes: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, fields: { type: 'array', items: { type: 'string' } }, unique: { type: 'boolean' } }, required: ['fields'] } },
        ...Object.fromEntries(
          ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'].map((key) => [
            key,
            { type: ['string', 'null'], description: 'null: admins only; "": anyone; otherwise a filter expression (docs/auth.md).' },
          ]),
        ),
        created: { type: 'string', format: 'date-time' },
        updated: { type: 'string', format: 'date-time' },
      },
      required: ['name'],
    },
    RequestLog: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              time: { type: 'string', format: 'date-time' },
              requestId: { type: 'string' },
              method: { type: 'string' },
              path: { type: 'string', description: 'Without the query string.' },
              status: { type: 'integer' },
              durationMs: { type: 'number' },
            },
            required: ['time', 'requestId', 'method', 'path', 'status', 'durationMs'],
          },
        },
        capacity: { type: 'integer', description: 'How many requests the instance keeps (CAUSEWAY_REQUEST_LOG_SIZE).' },
      },
      required: ['items', 'capacity'],
    },
    SchemaDocument: { type: 'object', properties: { version: { type: 'integer' }, collections: { type: 'array', items: ref('Collection') } }, required: ['collections'] },
    BatchRequest: {
      type: 'object',
      properties: {
        operations: {
          type: 'array',
          minItems: 1,
          maxItems: 1000,
          items: {
            type: 'object',
            properties: {
              action: { type: 'string', enum: ['create', 'update', 'delete'] },
              collection: { type: 'string' },
              id: { type: 'string' },
              data: { type: 'object' },
              ifMatch: { type: 'string' },
            },
            required: ['action', 'collection'],
          },
        },
      },
      required: ['operations'],
    },
  };
}

/** Health, collections management, the schema document and batch. */
export function staticPaths(errors: ErrorRefs, use: ParameterRefs): Record<string, PathItem> {
  const tags = ['collections'];
  const collectionPath = { name: 'name', in: 'path' as const, required: true, schema: { type: 'string' } };
  return {
    '/api/health': {
      get: { operationId: 'health', summary: 'Health check', tags: ['system'], responses: { '200': { description: 'Up.', content: json({ type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } }) } } },
    },
    '/api/logs': {
      get: {
        operationId: 'listRequestLog',
        summary: 'Recent requests this instance answered, newest first (admins only)',
        tags: ['system'],
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'status', in: 'query', description: 'Only errors (`error`: 400 and above), client errors (`4xx`) or server errors (`5xx`).', schema: { type: 'string', enum: ['error', '4xx', '5xx'] } },
        ],
        responses: { '200': { description: 'The requests, without bodies, headers or query strings.', content: json(ref('RequestLog')) }, ...errors(400, 401, 403) },
      },
    },
    '/api/collections': {
      get: { operationId: 'listCollections', summary: 'List collections', tags, responses: { '200': { description: 'Collections.', content: json({ type: 'object', properties: { items: { type: 'array', items: ref('Collection') } } }) } } },
      post: { operationId: 'createCollection', summary: 'Create a collection', tags, requestBody: { required: true, content: json(ref('Collection')) }, responses: { '201': { description: 'Created.', content: json(ref('Collection')) }, ...errors(400, 409, 413, 415) } },
    },
    '/api/collections/{name}': {
      get: { operationId: 'getCollection', summary: 'Get a collection', tags, parameters: [collectionPath], responses: { '200': { description: 'The collection.', content: json(ref('Collection')) }, ...errors(404) } },
      patch: { operationId: 'updateCollection', summary: 'Alter a collection', tags, parameters: [collectionPath, ...use('confirm')], requestBody: { required: true, content: json(ref('Collection')) }, responses: { '200': { description: 'Altered.', content: json(ref('Collection')) }, ...errors(400, 404, 409) } },
      delete: { operationId: 'deleteCollection', summary: 'Delete a collection and its records', tags, parameters: [collectionPath, ...use('confirm')], responses: { '204': { description: 'Deleted.' }, ...errors(404, 409) } },
    },
    '/api/schema': {
      get: { operationId: 'exportSchema', summary: 'Export the whole schema', tags, responses: { '200': { description: 'The schema document.', content: json(ref('SchemaDocument')) } } },
    },
    '/api/schema/import': {
      post: {
        operationId: 'importSchema',
        summary: 'Apply a schema document',
        tags,
        parameters: use('confirm'),
        requestBody: { required: true, content: json(ref('SchemaDocument')) },
        responses: { '200': { description: 'What changed.', content: json({ type: 'object', properties: { created: { type: 'array', items: { type: 'string' } }, updated: { type: 'array', items: { type: 'string' } }, unchanged: { type: 'array', items: { type: 'string' } } } }) }, ...errors(400, 409) },
      },
    },
    '/api/batch': {
      post: {
        operationId: 'batch',
        summary: 'Several writes in one transaction',
        tags: ['system'],
        requestBody: { required: true, content: json(ref('BatchRequest')) },
        responses: { '200': { description: 'Every operation succeeded.', content: json({ type: 'object', properties: { results: { type: 'array', items: { type: 'object' } } } }) }, ...errors(404, 409, 412, 413, 415, 422) },
      },
    },
  };
}
