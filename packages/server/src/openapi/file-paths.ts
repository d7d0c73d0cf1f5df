import type { Collection } from '@causeway/core';
import type { JsonSchema, PathItem } from './openapi-types.js';

type ErrorRefs = (...statuses: number[]) => Record<string, { $ref: string }>;

const binary: JsonSchema = { type: 'string', format: 'binary' };

/**
 * A collection with file fields also takes its writes as `multipart/form-data`: the other fields as JSON in the
 * `@json` part, each file in a part named after its field. Empty for a collection without file fields.
 */
export function multipartBody(collection: Collection): Record<string, { schema: JsonSchema; encoding?: Record<string, { contentType: string }> }> {
  const files = collection.fields.filter((f) => f.type === 'file' && !f.hidden);
  if (files.length === 0) return {};
  const properties: Record<string, JsonSchema> = {
    '@json': { type: 'string', contentMediaType: 'application/json', description: 'The other fields, as one JSON object.' },
  };
  for (const field of files) properties[field.name] = 'multiple' in field && field.multiple ? { type: 'array', items: binary } : binary;
  return { 'multipart/form-data': { schema: { type: 'object', properties }, encoding: { '@json': { contentType: 'application/json' } } } };
}

const pathParameter = (name: string) => ({ name, in: 'path' as const, required: true, schema: { type: 'string' } });

/** File downloads and file tokens (docs/rest.md, Files). */
export function filePaths(errors: ErrorRefs): Record<string, PathItem> {
  const fileHeaders = {
    ETag: { description: 'The stored name, which never holds other bytes.', schema: { type: 'string' } },
    'Content-Disposition': { description: '`inline` for images, PDF, text, audio, video; `attachment` otherwise.', schema: { type: 'string' } },
  };
  return {
    '/api/files/token': {
      post: {
        operationId: 'fileToken',
        summary: 'A short-lived token for downloading protected files (`?token=`)',
        tags: ['system'],
        responses: {
          '200': {
            description: 'The token.',
            content: { 'application/json': { schema: { type: 'object', properties: { token: { type: 'string' }, expiresIn: { type: 'integer', minimum: 1 } }, required: ['token', 'expiresIn'], additionalProperties: false } } },
          },
        },
      },
    },
    '/api/files/{collection}/{recordId}/{name}': {
      get: {
        operationId: 'downloadFile',
        summary: "A record's file, under the record's view rule",
        tags: ['system'],
        parameters: [
          pathParameter('collection'),
          pathParameter('recordId'),
          pathParameter('name'),
          { name: 'token', in: 'query', description: 'A file token (protected fields).', schema: { type: 'string' } },
          { name: 'download', in: 'query', description: 'Serve as an attachment.', schema: { type: 'string' } },
          { name: 'Range', in: 'header', description: 'One byte range, `bytes=start-end`.', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'The file.', headers: fileHeaders, content: { '*/*': { schema: binary } } },
          '206': { description: 'The requested range.', headers: { ...fileHeaders, 'Content-Range': { description: 'bytes start-end/size', schema: { type: 'string' } } }, content: { '*/*': { schema: binary } } },
          '304': { description: 'Not modified.' },
          ...errors(404, 416),
        },
      },
    },
  };
}
