import type { FileField } from '../schema/field.js';

/**
 * MIME types by the extensions Causeway stores files under (the extension comes from the sniffed type, so a
 * stored name's extension is its type). An extension not listed downloads as `application/octet-stream`.
 */
const typesByExtension: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  tif: 'image/tiff',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  txt: 'text/plain',
  xml: 'application/xml',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  woff2: 'font/woff2',
  bin: 'application/octet-stream',
};

/** The MIME type a stored file is served with, from its name's extension. */
export function fileTypeOf(storedName: string): string {
  const extension = storedName.slice(storedName.lastIndexOf('.') + 1);
  return typesByExtension[extension] ?? 'application/octet-stream';
}

/**
 * Types a browser may render inline from our origin: none can run script. Everything else (HTML, SVG, XML,
 * anything unknown) is served as an attachment, so an upload can never become a page on the API's origin.
 */
const inlineTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/x-icon', 'application/pdf', 'text/plain', 'audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/flac', 'audio/mp4', 'video/mp4', 'video/webm', 'video/quicktime']);

export function servedInline(type: string): boolean {
  return inlineTypes.has(type);
}

/** Raster images sharp can make thumbnails of. */
const thumbnailable = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);

export function hasThumbnails(type: string): boolean {
  return thumbnailable.has(type);
}

/** Whether a sniffed type is one the field accepts (`image/*` matches every image). */
export function typeAllowed(field: FileField, type: string): boolean {
  if (!field.mimeTypes || field.mimeTypes.length === 0) return true;
  return field.mimeTypes.some((allowed) => (allowed.endsWith('/*') ? type.startsWith(allowed.slice(0, -1)) : allowed === type));
}
