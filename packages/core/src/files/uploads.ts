import { CausewayError, type FieldIssue } from '../errors/causeway-error.js';
import type { CausewayRecord } from '../records/record.js';
import type { Collection } from '../schema/collection.js';
import type { FileField } from '../schema/field.js';
import { typeAllowed } from './file-types.js';

/** A file already streamed to storage for this write, under its stored name. */
export interface Upload {
  field: string;
  name: string;
  size: number;
  /** The MIME type sniffed from its content. */
  type: string;
}

/** The names a file field's value holds. */
export function fileNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/** Why an uploaded file does not fit its field (checked while streaming, and again here), or undefined. */
export function uploadIssue(field: FileField, size: number, type: string): FieldIssue | undefined {
  if (size === 0) return { code: 'empty_file', message: 'must not be an empty file' };
  if (size > field.maxSize) return { code: 'file_too_large', message: `must be at most ${field.maxSize} bytes` };
  if (!typeAllowed(field, type)) return { code: 'file_type', message: `is ${type}, not one of: ${field.mimeTypes?.join(', ')}` };
  return undefined;
}

/**
 * The write's body with the uploads in place: a single field takes its upload, a multiple field appends its
 * uploads to the names the body keeps (or, without the field in the body, to the names the record holds).
 * Names in the body must be files the record already holds, so a client cannot attach another record's file
 * (or a guessed name) to a record it may write. Every problem is listed at once.
 */
export function withUploads(collection: Collection, body: unknown, uploads: readonly Upload[], current?: CausewayRecord): unknown {
  const fileFields = collection.fields.filter((f): f is FileField => f.type === 'file');
  if (fileFields.length === 0 && uploads.length === 0) return body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const data = { ...(body as Record<string, unknown>) };
  const issues: Record<string, FieldIssue> = {};
  for (const upload of uploads) {
    if (!fileFields.some((f) => f.name === upload.field)) issues[upload.field] = { code: 'not_a_file_field', message: `'${collection.name}' has no file field '${upload.field}'` };
  }
  for (const field of fileFields) {
    const added = uploads.filter((u) => u.field === field.name);
    const held = fileNames(current?.[field.name]);
    const present = Object.hasOwn(data, field.name);
    const kept = present ? data[field.name] : held;
    const keptNames = fileNames(kept);
    const foreign = keptNames.find((name) => !held.includes(name));
    if (foreign !== undefined) {
      issues[field.name] = { code: 'unknown_file', message: `'${foreign}' is not a file of this record; upload files as multipart/form-data` };
      continue;
    }
    for (const upload of added) {
      const issue = uploadIssue(field, upload.size, upload.type);
      if (issue) issues[field.name] = issue;
    }
    if (issues[field.name] || added.length === 0) continue;
    if (!field.multiple) {
      if (added.length > 1) issues[field.name] = { code: 'too_many_files', message: 'holds one file' };
      else data[field.name] = added[0]!.name;
      continue;
    }
    // A kept value that is not a list is left for validation to refuse.
    const names = Array.isArray(kept) || kept === undefined || kept === null ? [...keptNames, ...added.map((u) => u.name)] : kept;
    data[field.name] = names;
  }
  for (const field of fileFields) {
    const value = data[field.name];
    if (!issues[field.name] && field.multiple && field.maxFiles !== undefined && Array.isArray(value) && value.length > field.maxFiles) {
      issues[field.name] = { code: 'too_many_files', message: `holds at most ${field.maxFiles} files` };
    }
  }
  if (Object.keys(issues).length > 0) {
    throw new CausewayError('VALIDATION_FAILED', `The record does not fit collection '${collection.name}'.`, { fields: issues });
  }
  return data;
}
