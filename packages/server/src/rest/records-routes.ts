import type { FastifyPluginAsync } from 'fastify';
import type { RecordsService } from '@causeway/core';
import { ifMatchVersions, matchesIfNoneMatch, recordEtag } from './etag.js';
import { parseListQuery, parseReadQuery } from './query-params.js';

type Query = Record<string, string | string[] | undefined>;
type CollectionParams = { collection: string };
type RecordParams = { collection: string; id: string };

/** `/api/collections/:collection/records`: a thin adapter over the core records service. */
export const recordsRoutes: FastifyPluginAsync<{ records: RecordsService }> = async (app, { records }) => {
  app.get<{ Params: CollectionParams; Querystring: Query }>('/api/collections/:collection/records', async (request) => {
    return records.list(request.caller, request.params.collection, parseListQuery(request.query));
  });

  app.get<{ Params: RecordParams; Querystring: Query }>('/api/collections/:collection/records/:id', async (request, reply) => {
    const options = parseReadQuery(request.query);
    const result = await records.get(request.caller, request.params.collection, request.params.id, options);
    const etag = recordEtag(result, options);
    reply.header('etag', etag);
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return result.record;
  });

  app.post<{ Params: CollectionParams; Body: unknown }>('/api/collections/:collection/records', async (request, reply) => {
    const result = await records.create(request.caller, request.params.collection, request.body);
    const location = `/api/collections/${encodeURIComponent(request.params.collection)}/records/${encodeURIComponent(result.record.id)}`;
    return reply.code(201).header('etag', recordEtag(result)).header('location', location).send(result.record);
  });

  app.patch<{ Params: RecordParams; Body: unknown }>('/api/collections/:collection/records/:id', async (request, reply) => {
    const ifMatch = ifMatchVersions(request.headers['if-match']);
    const result = await records.update(request.caller, request.params.collection, request.params.id, request.body, ifMatch ? { ifMatch } : {});
    return reply.header('etag', recordEtag(result)).send(result.record);
  });

  app.delete<{ Params: RecordParams }>('/api/collections/:collection/records/:id', async (request, reply) => {
    const ifMatch = ifMatchVersions(request.headers['if-match']);
    await records.delete(request.caller, request.params.collection, request.params.id, ifMatch ? { ifMatch } : {});
    return reply.code(204).send();
  });

  app.post<{ Body: unknown }>('/api/batch', async (request) => {
    const results = await records.batch(request.caller, request.body);
    return {
      results: results.map((result) =>
        result.action === 'delete' ? result : { action: result.action, record: result.record.record, etag: recordEtag(result.record) },
      ),
    };
  });
};
