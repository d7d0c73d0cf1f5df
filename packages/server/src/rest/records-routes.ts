import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { CausewayError, type Collection, type FileStorage, type RecordsService, type ReadOptions, type SchemaLookup, type Upload, type VersionedRecord } from '@causeway/core';
import { ifMatchVersions, matchesIfNoneMatch, recordEtag } from './etag.js';
import { parseListQuery, parseReadQuery } from './query-params.js';
import { discardUploads, readMultipartWrite, type MultipartLimits } from './multipart-records.js';

type Query = Record<string, string | string[] | undefined>;
const noReadOptions: ReadOptions = Object.freeze({});
type CollectionParams = { collection: string };
type RecordParams = { collection: string; id: string };

/** `/api/collections/:collection/records`: a thin adapter over the core records service. */
export interface RecordsRoutesOptions {
  records: RecordsService;
  schema: SchemaLookup;
  storage: FileStorage;
  multipart: MultipartLimits;
}

export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { records, schema, storage, multipart: limits }) => {
  function collectionOf(name: string): Collection {
    const collection = schema.collection(name);
    if (!collection) throw new CausewayError('COLLECTION_NOT_FOUND', `Collection '${name}' does not exist.`);
    return collection;
  }

  /**
   * A multipart write: the files are stored first, then the record is written with them; if the write fails
   * the stored files are deleted (and the sweep removes any a crash left). A refusal part-way through a body
   * closes the connection rather than reading the rest of a possibly huge upload.
   */
  async function writeMultipart(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    fixedId: string | undefined,
    write: (body: Record<string, unknown>, uploads: Upload[], id: string) => Promise<VersionedRecord>,
  ): Promise<VersionedRecord> {
    const collection = collectionOf(name);
    // Refused before a byte is stored when the action is for admins only.
    records.rules.refuseAdminsOnly(collection, fixedId === undefined ? 'create' : 'update', request.caller);
    let stored: Awaited<ReturnType<typeof readMultipartWrite>>;
    try {
      stored = await readMultipartWrite(request, collection, storage, limits, fixedId, records.newId);
    } catch (error) {
      reply.header('connection', 'close');
      throw error;
    }
    try {
      return await write(stored.body, stored.uploads, stored.id);
    } catch (error) {
      await discardUploads(storage, collection, stored.id, stored.uploads);
      throw error;
    }
  }

  app.get<{ Params: CollectionParams; Querystring: Query }>('/api/collections/:collection/records', async (request) => {
    return records.list(request.caller, request.params.collection, parseListQuery(request.query));
  });

  app.get<{ Params: RecordParams; Querystring: Query }>('/api/collections/:collection/records/:id', async (request, reply) => {
    // Most reads have no query string: nothing to parse.
    const options = request.url.includes('?') ? parseReadQuery(request.query) : noReadOptions;
    const result = await records.get(request.caller, request.params.collection, request.params.id, options);
    const etag = recordEtag(result, options);
    reply.header('etag', etag);
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return result.record;
  });

  // Only creates and updates read multipart bodies (every other route still answers them 415), and only they pay for
  // the plugin's hooks: its async onResponse hook would otherwise cost every read a promise.
  await app.register(async (writes) => {
    await writes.register(multipart);
    writeRoutes(writes);
  });

  function writeRoutes(app: FastifyInstance): void {
    app.post<{ Params: CollectionParams; Body: unknown }>('/api/collections/:collection/records', async (request, reply) => {
      const { collection } = request.params;
      const result = request.isMultipart()
        ? await writeMultipart(request, reply, collection, undefined, (body, uploads, id) => records.create(request.caller, collection, body, { uploads, id }))
        : await records.create(request.caller, collection, request.body);
      const location = `/api/collections/${encodeURIComponent(request.params.collection)}/records/${encodeURIComponent(result.record.id)}`;
      return reply.code(201).header('etag', recordEtag(result)).header('location', location).send(result.record);
    });

    app.patch<{ Params: RecordParams; Body: unknown }>('/api/collections/:collection/records/:id', async (request, reply) => {
      const ifMatch = ifMatchVersions(request.headers['if-match']);
      const { collection, id } = request.params;
      const result = request.isMultipart()
        ? await writeMultipart(request, reply, collection, id, (body, uploads) => records.update(request.caller, collection, id, body, { uploads, ...(ifMatch ? { ifMatch } : {}) }))
        : await records.update(request.caller, collection, id, request.body, ifMatch ? { ifMatch } : {});
      return reply.header('etag', recordEtag(result)).send(result.record);
    });
  }

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
