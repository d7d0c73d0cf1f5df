import type { ChangeEvent } from '../events/change-event.js';
import type { SchemaLookup } from '../schema/schema-lookup.js';
import { fileKey, thumbKey } from './file-keys.js';
import { fileNames } from './uploads.js';

/**
 * The storage keys a committed write let go of: every file of a deleted record (cascades included) and every
 * file an update replaced or removed, with their declared thumbnails. Read from the change events, so any
 * write path (REST, GraphQL, batch, cascade) frees its files the same way. Whatever is missed here (a crash
 * before the delete, a removed field, a dropped collection, a changed thumbnail size) the orphan sweep finds.
 */
export function removedFileKeys(schema: SchemaLookup, events: readonly ChangeEvent[]): string[] {
  const keys: string[] = [];
  for (const event of events) {
    if (!event.previous) continue;
    const collection = schema.collection(event.collection);
    if (!collection) continue;
    for (const field of collection.fields) {
      if (field.type !== 'file') continue;
      const after = event.op === 'delete' ? [] : fileNames(event.record[field.name]);
      for (const name of fileNames(event.previous[field.name])) {
        if (after.includes(name)) continue;
        keys.push(fileKey(collection.id, event.recordId, name));
        for (const size of field.thumbs ?? []) keys.push(thumbKey(collection.id, event.recordId, name, size));
      }
    }
  }
  return keys;
}
