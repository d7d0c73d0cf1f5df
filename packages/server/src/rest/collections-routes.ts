import type { FastifyPluginAsync } from 'fastify';
import { CausewayError, fieldTypeRegistry, fieldTypes, type AuthService, type CollectionsService } from '@causeway/core';
import type { FieldTypeInfo } from '@causeway/wire';
import { adminOnly } from '../auth/authenticate.js';
import { parseConfirmQuery } from './query-params.js';

type Query = Record<string, string | string[] | undefined>;
type NameParams = { name: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `/api/collections` (schema management), `/api/schema` (the whole schema as one document) and `/api/field-types`
 * (how the console edits each type): admins only.
 */
export const collectionsRoutes: FastifyPluginAsync<{ collections: CollectionsService; auth: AuthService }> = async (app, { collections, auth }) => {
  // Scoped to this plugin's routes; the records routes under /api/collections/:collection/records are separate.
  app.addHook('preHandler', adminOnly(auth));
  app.get('/api/collections', async () => ({ items: collections.list() }));

  app.post<{ Body: unknown }>('/api/collections', async (request, reply) => {
    const created = await collections.create(request.body);
    return reply.code(201).header('location', `/api/collections/${encodeURIComponent(created.name)}`).send(created);
  });

  app.get<{ Params: NameParams }>('/api/collections/:name', async (request) => collections.get(request.params.name));

  // PATCH merges top-level keys into the current definition; `fields` and `indexes` are replaced whole.
  app.patch<{ Params: NameParams; Body: unknown; Querystring: Query }>('/api/collections/:name', async (request) => {
    const { confirm } = parseConfirmQuery(request.query);
    if (!isObject(request.body)) throw new CausewayError('INVALID_SCHEMA', 'The body must be a JSON object.');
    const { created: _c, updated: _u, ...current } = collections.get(request.params.name);
    return collections.update(request.params.name, { ...current, ...request.body }, { confirm });
  });

  app.delete<{ Params: NameParams; Querystring: Query }>('/api/collections/:name', async (request, reply) => {
    await collections.delete(request.params.name, parseConfirmQuery(request.query));
    return reply.code(204).send();
  });

  app.get('/api/schema', async () => collections.export());

  // The console cannot import the core: it learns each type's editor hints here.
  const typeInfos: FieldTypeInfo[] = fieldTypes.map((type) => ({ type, ...structuredClone(fieldTypeRegistry[type].editor) }));
  app.get('/api/field-types', async () => ({ items: typeInfos }));

  app.post<{ Body: unknown; Querystring: Query }>('/api/schema/import', async (request) => {
    const { confirm } = parseConfirmQuery(request.query);
    const body = request.body;
    if (!isObject(body) || !Array.isArray(body.collections)) {
      throw new CausewayError('INVALID_SCHEMA', 'A schema document is an object with a "collections" array.');
    }
    return collections.import(body.collections, { confirm });
  });
};
