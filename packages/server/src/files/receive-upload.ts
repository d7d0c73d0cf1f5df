import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { CausewayError, storedFileName, uploadIssue, type FileField, type FileStorage, type Upload } from '@causeway/core';

/** Bytes file-type reads to recognise a format. */
const sniffBytes = 4100;

export interface IncomingFile {
  field: FileField;
  /** The name the client gave: only ever sanitised into a stored name. */
  filename: string;
  stream: Readable;
}

export interface UploadTarget {
  storage: FileStorage;
  /** The storage key for a stored name (the record's id is fixed before the body is read). */
  keyOf(name: string): string;
  /** Milliseconds the client may send nothing before the upload is dropped. */
  idleMs: number;
}

function refused(field: FileField, code: string, message: string): CausewayError {
  return new CausewayError('VALIDATION_FAILED', `File field '${field.name}': ${message}.`, { fields: { [field.name]: { code, message } } });
}

/** Text is what decodes as UTF-8 and holds no control characters but whitespace. */
function looksLikeText(head: Buffer): boolean {
  // A multi-byte character cut at the end of the head is not a reason to call it binary.
  const sample = head.length >= sniffBytes ? head.subarray(0, head.length - 4) : head;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(sample);
    return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
  } catch {
    return false;
  }
}

/**
 * The type of a file from its first bytes, never from what the client claims: a recognised format, else
 * plain text, else opaque bytes. HTML and SVG are text here, so they are never served as a page or an image.
 */
async function sniff(head: Buffer): Promise<{ type: string; extension: string }> {
  const found = await fileTypeFromBuffer(head);
  if (found) return { type: found.mime, extension: found.ext };
  return looksLikeText(head) ? { type: 'text/plain', extension: 'txt' } : { type: 'application/octet-stream', extension: 'bin' };
}

/** The next chunk, or a REQUEST_TIMEOUT when the client sent nothing for `idleMs`. */
async function nextChunk(iterator: AsyncIterator<Buffer>, idleMs: number): Promise<IteratorResult<Buffer>> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CausewayError('REQUEST_TIMEOUT', `The upload sent nothing for ${idleMs / 1000} s.`)), idleMs);
  });
  try {
    return await Promise.race([iterator.next(), idle]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Streams one uploaded file to storage under a fresh stored name, enforcing the field's limits while the bytes
 * pass: the type is sniffed from the first 4 KB before anything is stored, and the size is counted chunk by
 * chunk, so a file over the limit fails as soon as it crosses it and nothing is ever held whole in memory.
 */
export async function receiveUpload(file: IncomingFile, target: UploadTarget): Promise<Upload> {
  const { field } = file;
  const iterator = file.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < sniffBytes) {
    const next = await nextChunk(iterator, target.idleMs);
    if (next.done) {
      ended = true;
      break;
    }
    headChunks.push(next.value);
    headLength += next.value.length;
  }
  const head = Buffer.concat(headChunks);
  if (head.length === 0) throw refused(field, 'empty_file', 'must not be an empty file');
  const { type, extension } = await sniff(head);
  const early = uploadIssue(field, Math.min(head.length, field.maxSize + 1), type);
  if (early) throw refused(field, early.code, early.message);
  let size = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    size += head.length;
    yield head;
    while (!ended) {
      const next = await nextChunk(iterator, target.idleMs);
      if (next.done) return;
      size += next.value.length;
      if (size > field.maxSize) throw refused(field, 'file_too_large', `must be at most ${field.maxSize} bytes`);
      yield next.value;
    }
  }
  const name = storedFileName(file.filename, extension);
  await target.storage.write(target.keyOf(name), Readable.from(counted(), { objectMode: false }), type);
  return { field: field.name, name, size, type };
}
