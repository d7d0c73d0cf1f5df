import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  CausewayError,
  fileKey,
  fileNames,
  fileTypeOf,
  hasThumbnails,
  servedInline,
  storedNamePattern,
  type AuthService,
  type ByteRange,
  type Caller,
  type FileField,
  type FileStorage,
  type RecordsService,
  type SchemaLookup,
} from '@causeway/core';

import type { Thumbnails } from '../files/thumbnails.js';

type FileParams = { collection: string; recordId: string; name: string };
type FileQuery = { token?: string; download?: string; thumb?: string };

export interface FilesRoutesOptions {
  records: RecordsService;
  schema: SchemaLookup;
  auth: AuthService;
  storage: FileStorage;
  /** Seconds a file token is valid. */
  fileTokenTtl: number;
  thumbnails: Thumbnails;
}

export const filesPath = '/api/files';

function fileNotFound(): CausewayError {
  return new CausewayError('NOT_FOUND', 'No such file.');
}

/**
 * One `Range: bytes=…` range of a file of `size` bytes: undefined to send the whole file (no header, several
 * ranges, a syntax we do not read: RFC 9110 lets a server ignore Range), or 'unsatisfiable'.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

/** A safe `Content-Disposition`: stored names hold only A-Z a-z 0-9 _ - and one dot. */
function disposition(name: string, type: string, download: boolean): string {
  return `${!download && servedInline(type) ? 'inline' : 'attachment'}; filename="${name}"`;
}

/**
 * `GET /api/files/{collection}/{recordId}/{name}`: a record's file, to whoever may view the record (the
 * collection's view rule, hidden fields never); `protected` fields also need a signed-in caller, by
 * `Authorization` or by a file token in `?token=` (what `<img src>` can carry). `POST /api/files/token` gives one.
 */
export const filesRoutes: FastifyPluginAsync<FilesRoutesOptions> = async (app, { records, schema, auth, storage, fileTokenTtl, thumbnails }) => {
  // A shutdown does not wait for downloads (a slow reader could hold it for as long as it likes): the ones in
  // flight are cut, and their clients resume with Range.
  const downloads = new Set<FastifyReply>();
  app.addHook('preClose', async () => {
    for (const reply of downloads) reply.raw.destroy();
  });
  app.post(`${filesPath}/token`, async (request) => {
    const issued = await auth.fileToken(request.caller, fileTokenTtl);
    return { token: issued.token, expiresIn: issued.expiresIn };
  });

  async function callerOf(request: FastifyRequest<{ Querystring: FileQuery }>): Promise<Caller> {
    const token = request.query.token;
    if (token === undefined) return request.caller;
    if (typeof token !== 'string' || token.length > 4096) throw new CausewayError('INVALID_TOKEN', 'The file token is invalid or expired.');
    return auth.authenticateFileToken(token);
  }

  app.get<{ Params: FileParams; Querystring: FileQuery }>(`${filesPath}/:collection/:recordId/:name`, async (request, reply) => {
    const { collection: collectionName, recordId, name } = request.params;
    const collection = schema.collection(collectionName);
    if (!collection || !storedNamePattern.test(name)) throw fileNotFound();
    const caller = await callerOf(request);
    // The client image: a hidden field's files are as unreachable as its value. A hidden record is a 404.
    const { record } = await records.get(caller, collection.name, recordId);
    const field = collection.fields.find((f): f is FileField => f.type === 'file' && fileNames(record[f.name]).includes(name));
    if (!field) throw fileNotFound();
    if (field.protected && caller.kind === 'anonymous') {
      throw new CausewayError('UNAUTHENTICATED', `Field '${field.name}' is protected: sign in, or add ?token= from POST ${filesPath}/token.`);
    }
    downloads.add(reply);
    reply.raw.once('close', () => downloads.delete(reply));
    const key = fileKey(collection.id, record.id, name);
    const download = request.query.download !== undefined;
    const { thumb } = request.query;
    // Thumbnails are only ever made of raster images; anything else is served as it is.
    if (thumb === undefined || !hasThumbnails(fileTypeOf(name))) return sendFile(request, reply, storage, key, name, download);
    if (typeof thumb !== 'string' || !(field.thumbs ?? []).includes(thumb)) {
      throw new CausewayError('INVALID_QUERY', `thumb must be one of the sizes field '${field.name}' declares: ${(field.thumbs ?? []).join(', ') || 'none'}.`);
    }
    const thumbnail = await thumbnails.ensure(collection.id, record.id, name, key, thumb);
    return sendFile(request, reply, storage, thumbnail, name, download, thumb);
  });
};

/** Streams a stored file with the headers a browser and a cache need, honouring If-None-Match and Range. */
export async function sendFile(request: FastifyRequest, reply: FastifyReply, storage: FileStorage, key: string, name: string, download: boolean, thumb?: string): Promise<FastifyReply> {
  const info = await storage.stat(key);
  if (!info) throw fileNotFound();
  const type = fileTypeOf(name);
  // A stored name is never reused for other bytes, so the name is the version.
  const etag = thumb === undefined ? `"${name}"` : `"${thumb}-${name}"`;
  reply.header('etag', etag);
  reply.header('accept-ranges', 'bytes');
  // Whether the caller may see it is decided per request; a shared cache must not keep it.
  reply.header('cache-control', 'private, no-cache');
  reply.header('x-content-type-options', 'nosniff');
  // <img src> from the app's own origin must work; helmet's same-origin default would block it.
  reply.header('cross-origin-resource-policy', 'cross-origin');
  reply.header('content-disposition', disposition(name, type, download));
  if (!servedInline(type)) reply.header('content-security-policy', "default-src 'none'; sandbox");
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  const ifRange = request.headers['if-range'];
  const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, info.size) : undefined;
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${info.size}`);
    throw new CausewayError('RANGE_NOT_SATISFIABLE', `The file has ${info.size} bytes.`);
  }
  const body = await storage.read(key, range);
  if (!body) throw fileNotFound();
  reply.type(type);
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
  } else {
    reply.header('content-length', String(info.size));
  }
  return reply.send(body);
}
