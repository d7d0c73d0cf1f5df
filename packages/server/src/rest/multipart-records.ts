import type { FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { CausewayError, fileKey, type Collection, type FileField, type FileStorage, type Upload } from '@causeway/core';
import { receiveUpload } from '../files/receive-upload.js';

/** The part holding the record's other fields as one JSON object (numbers, lists and nulls keep their types). */
export const jsonPart = '@json';

export interface MultipartLimits {
  /** Largest `@json` part or text field, in bytes (the JSON body limit). */
  fieldBytes: number;
  idleMs: number;
}

export interface MultipartWrite {
  body: Record<string, unknown>;
  uploads: Upload[];
  /** The record id the uploads were stored under. */
  id: string;
}

/**
 * Reads a `multipart/form-data` create or update: text fields and the `@json` part become the body, each file
 * part is streamed to storage as it arrives (the parts are read in order; nothing waits in memory). The
 * caller writes the record with the uploads and, if that fails, deletes them with `discard`.
 */
export async function readMultipartWrite(
  request: FastifyRequest,
  collection: Collection,
  storage: FileStorage,
  limits: MultipartLimits,
  /** The record's id, if fixed (an update); a create uses the `@json` part's `id` if it comes first, else `newId()`. */
  fixedId: string | undefined,
  newId: () => string,
): Promise<MultipartWrite> {
  const fileFields = collection.fields.filter((f): f is FileField => f.type === 'file');
  const maxFiles = fileFields.reduce((sum, f) => sum + (f.multiple ? (f.maxFiles ?? 100) : 1), 0);
  const body: Record<string, unknown> = {};
  const uploads: Upload[] = [];
  let id = fixedId;
  const keyOf = (name: string) => fileKey(collection.id, id!, name);
  try {
    const parts = request.parts({
      limits: {
        fieldNameSize: 100,
        fieldSize: limits.fieldBytes,
        fields: 200,
        files: Math.max(1, maxFiles),
        headerPairs: 20,
        parts: 200 + Math.max(1, maxFiles),
        // Our own count fails first with the field's message; this is the backstop.
        fileSize: Math.max(1, ...fileFields.map((f) => f.maxSize + 1)),
      },
    });
    for await (const part of parts as AsyncIterable<Multipart>) {
      if (part.fieldname.length === 0 || (part.type === 'field' && part.fieldnameTruncated)) throw new CausewayError('BAD_REQUEST', 'A multipart part has no name or one over 100 bytes.');
      if (part.type === 'field') {
        if (part.valueTruncated) throw new CausewayError('PAYLOAD_TOO_LARGE', `Part '${part.fieldname}' is larger than ${limits.fieldBytes} bytes.`);
        // @fastify/multipart has already parsed a part sent as application/json.
        if (part.fieldname === jsonPart) Object.assign(body, typeof part.value === 'string' ? parseJsonPart(part.value) : asObject(part.value));
        else body[part.fieldname] = String(part.value);
        if (id === undefined && typeof body.id === 'string') id = body.id;
        continue;
      }
      const field = fileFields.find((f) => f.name === part.fieldname);
      if (!field || field.hidden) {
        throw new CausewayError('VALIDATION_FAILED', `'${collection.name}' has no file field '${part.fieldname}'.`, {
          fields: { [part.fieldname]: { code: 'not_a_file_field', message: `'${collection.name}' has no file field '${part.fieldname}'` } },
        });
      }
      id ??= newId();
      uploads.push(await receiveUpload({ field, filename: part.filename, stream: part.file }, { storage, keyOf, idleMs: limits.idleMs }));
    }
    await bodyEnded(request, limits.idleMs);
  } catch (error) {
    await discardUploads(storage, collection, id, uploads);
    throw asMultipartError(error);
  }
  return { body, uploads, id: id ?? newId() };
}

/**
 * Waits for the rest of the request after the closing boundary (an epilogue, the last chunk of a chunked body):
 * a response sent before the request ended leaves Node treating the connection as busy, so it is neither reused
 * nor closed as idle.
 */
async function bodyEnded(request: FastifyRequest, idleMs: number): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.readableEnded) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CausewayError('REQUEST_TIMEOUT', 'The request did not end after its last part.')), idleMs);
    raw.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
    raw.resume();
  });
}

/** Deletes what a refused write had stored (the sweep would, later). */
export async function discardUploads(storage: FileStorage, collection: Collection, id: string | undefined, uploads: readonly Upload[]): Promise<void> {
  if (id === undefined || uploads.length === 0) return;
  await storage.delete(uploads.map((u) => fileKey(collection.id, id, u.name))).catch(() => undefined);
}

function parseJsonPart(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CausewayError('MALFORMED_JSON', `The ${jsonPart} part is not valid JSON.`, { cause: error });
  }
  return asObject(value);
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CausewayError('MALFORMED_JSON', `The ${jsonPart} part must be a JSON object.`);
  return value as Record<string, unknown>;
}

/** busboy's and @fastify/multipart's own failures as the catalogue's codes (a malformed body is the client's). */
function asMultipartError(error: unknown): unknown {
  if (error instanceof CausewayError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_INVALID_JSON_FIELD_ERROR') return new CausewayError('MALFORMED_JSON', `The ${jsonPart} part is not valid JSON.`, { cause: error });
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_REQ_FILE_TOO_LARGE') {
    return new CausewayError('PAYLOAD_TOO_LARGE', 'The multipart body has more parts, fields or files than this collection takes.', { cause: error });
  }
  if (typeof code === 'string' && code.startsWith('FST_')) return new CausewayError('BAD_REQUEST', 'The multipart body is malformed.', { cause: error });
  if (error instanceof Error && !('errno' in error)) return new CausewayError('BAD_REQUEST', `The multipart body is malformed: ${error.message}`, { cause: error });
  return error;
}
