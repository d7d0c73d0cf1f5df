import type { Collection } from '@causeway/core';
import { collectionSchemas, componentName } from './collection-schemas.js';
import type { JsonSchema, OpenApiDocument, Operation, Parameter, PathItem } from './openapi-types.js';
import { authPaths, session } from './auth-paths.js';
import { oauthPaths } from './oauth-paths.js';
import { collectionSchemaComponents, staticPaths } from './static-paths.js';
import { problemResponses, withCommonAnswers } from './problem-responses.js';
import { filePaths, multipartBody } from './file-paths.js';
import { customRoutePaths } from './custom-route-paths.js';
import { extensionsPaths } from './extensions-paths.js';
import type { CustomRoute } from '../extend/routes.js';

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const errors = (...statuses: number[]): Record<string, { $ref: string }> =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/Problem${status}` }]));

const parameters: Record<string, Parameter> = {
  filter: { name: 'filter', in: 'query', description: 'Filter expression, e.g. `published = true && views > 10`.', schema: { type: 'string' } },
  sort: { name: 'sort', in: 'query', description: 'Comma-separated fields, `-` for descending.', schema: { type: 'string' } },
  limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 30 } },
  after: { name: 'after', in: 'query', description: 'The `nextCursor` of the previous page.', schema: { type: 'string' } },
  before: { name: 'before', in: 'query', description: 'The `prevCursor` of the next page: the `limit` records before it (paging backward).', schema: { type: 'string' } },
  count: { name: 'count', in: 'query', description: 'Add `total`, the number of matching records.', schema: { type: 'boolean' } },
  fields: { name: 'fields', in: 'query', description: 'Comma-separated fields to return.', schema: { type: 'string' } },
  expand: { name: 'expand', in: 'query', description: 'Comma-separated relation paths to expand.', schema: { type: 'string' } },
  id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
  confirm: { name: 'confirm', in: 'query', description: 'Allow a change that deletes data.', schema: { type: 'boolean' } },
  ifMatch: { name: 'If-Match', in: 'header', description: 'ETag last seen; 412 when the record changed.', schema: { type: 'string' } },
  ifNoneMatch: { name: 'If-None-Match', in: 'header', description: 'ETag last seen; 304 when unchanged.', schema: { type: 'string' } },
};
const use = (...names: (keyof typeof parameters)[]) => names.map((name) => ({ $ref: `#/components/parameters/${name}` }));

const etagHeader = { ETag: { description: 'Version tag of the record.', schema: { type: 'string' } } };
const locationHeader = { Location: { description: 'Path of the new record.', schema: { type: 'string' } } };

function recordPaths(collection: Collection): Record<string, PathItem> {
  const name = collection.name;
  const tags = [name];
  // Reads take `fields=`, so they answer Selected records; writes answer whole ones.
  const record = ref(componentName(collection, 'Record'));
  const selected = ref(componentName(collection, 'Selected'));
  const op = (operationId: string, summary: string, rest: Omit<Operation, 'operationId' | 'summary' | 'tags'>): Operation => ({ operationId: `${operationId}_${name}`, summary, tags, ...rest });
  return {
    [`/api/collections/${name}/records`]: {
      get: op('list', `List ${name}`, {
        parameters: use('filter', 'sort', 'limit', 'after', 'before', 'count', 'fields', 'expand'),
        responses: {
          '200': {
            description: 'A page of records.',
            content: json({ type: 'object', properties: { items: { type: 'array', items: selected }, nextCursor: { type: ['string', 'null'] }, prevCursor: { type: ['string', 'null'] }, total: { type: 'integer', minimum: 0 } }, required: ['items', 'nextCursor'], additionalProperties: false }),
          },
          ...errors(400, 403, 404),
        },
      }),
      post: op('create', `Create a ${name} record`, {
        requestBody: { required: true, content: { ...json(ref(componentName(collection, 'Create'))), ...multipartBody(collection) } },
        responses: { '201': { description: 'Created.', headers: { ...etagHeader, ...locationHeader }, content: json(record) }, ...errors(400, 403, 404, 409, 422) },
      }),
    },
    [`/api/collections/${name}/records/{id}`]: {
      get: op('get', `Get a ${name} record`, {
        parameters: use('id', 'fields', 'expand', 'ifNoneMatch'),
        responses: { '200': { description: 'The record.', headers: etagHeader, content: json(selected) }, '304': { description: 'Not modified.', headers: etagHeader }, ...errors(400, 403, 404) },
      }),
      patch: op('update', `Update a ${name} record`, {
        parameters: use('id', 'ifMatch'),
        requestBody: { required: true, content: { ...json(ref(componentName(collection, 'Update'))), ...multipartBody(collection) } },
        responses: { '200': { description: 'Updated.', headers: etagHeader, content: json(record) }, ...errors(400, 403, 404, 409, 412, 422) },
      }),
      delete: op('delete', `Delete a ${name} record`, {
        parameters: use('id', 'ifMatch'),
        responses: { '204': { description: 'Deleted.' }, ...errors(403, 404, 409, 412) },
      }),
    },
  };
}

/** The OpenAPI 3.1 document for the live schema: static endpoints, every collection's records, the custom routes. */
export function buildOpenApi(collections: readonly Collection[], info: { version?: string; customRoutes?: readonly CustomRoute[] } = {}): OpenApiDocument {
  const names = new Set(collections.map((c) => c.name));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Causeway API',
      version: info.version ?? '0.1.0',
      description: 'REST API over the collections of this Causeway instance. Every status an operation can answer is listed; errors are RFC 9457 problem+json with a stable `code`.',
    },
    tags: [{ name: 'system' }, { name: 'collections' }, { name: 'admins' }, { name: 'custom', description: 'Routes added by extensions.' }, ...collections.map((c) => ({ name: c.name, description: `Records of '${c.name}'.` }))],
    paths: withCommonAnswers(Object.assign({}, staticPaths(errors, use), extensionsPaths(errors), customRoutePaths(info.customRoutes ?? [], errors), filePaths(errors), authPaths(collections, errors, (c) => ref(componentName(c, 'Record'))), oauthPaths(collections, errors, (c) => session(ref(componentName(c, 'Record')))), ...collections.map(recordPaths))),
    components: {
      schemas: Object.assign(collectionSchemaComponents(), ...collections.map((c) => collectionSchemas(c, (name) => names.has(name)))),
      parameters,
      responses: problemResponses(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from sign-in, sign-up or refresh.' } },
    },
    security: [{}, { bearer: [] }],
  };
}
