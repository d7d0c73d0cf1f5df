import type { RecordsByIds } from '../records/expand.js';
import type { Collection } from '../schema/collection.js';
import { parseFileKey } from './file-keys.js';
import type { FileStorage } from './file-storage.js';
import { fileNames } from './uploads.js';

export interface OrphanSweepDeps {
  storage: FileStorage;
  collections(): readonly Collection[];
  /** Records by id whatever the rules, with hidden fields: a hidden field's files are not orphans. */
  recordsByIds: RecordsByIds;
  /**
   * How old an unreferenced object must be to go, in ms: longer than any upload's time between storing a
   * file and committing its record (a multipart request with several large files), so a write in flight
   * never loses its files.
   */
  graceMs: number;
  now?: () => number;
}

/**
 * Deletes stored objects no record holds: files of a write that failed or crashed (partial writes too),
 * of records or fields deleted while a delete failed, of dropped collections, and thumbnails of files gone or
 * of sizes no longer declared. Records are looked up in batches per collection. Returns how many went.
 */
export async function sweepOrphans(deps: OrphanSweepDeps): Promise<number> {
  const now = deps.now?.() ?? Date.now();
  const byId = new Map(deps.collections().map((c) => [c.id, c]));
  const candidates: { key: string; collection: Collection | undefined; recordId: string; name: string; size?: string }[] = [];
  for await (const object of deps.storage.list()) {
    if (now - object.modifiedMs < deps.graceMs) continue;
    const parsed = parseFileKey(object.key);
    if (!parsed) {
      candidates.push({ key: object.key, collection: undefined, recordId: '', name: '' });
      continue;
    }
    const size = object.key.split('/').length === 5 ? object.key.split('/')[3] : undefined;
    candidates.push({ key: object.key, collection: byId.get(parsed.collectionId), recordId: parsed.recordId, name: parsed.name, ...(size ? { size } : {}) });
  }
  const orphans: string[] = [];
  const byCollection = new Map<Collection, typeof candidates>();
  for (const candidate of candidates) {
    if (!candidate.collection) orphans.push(candidate.key);
    else byCollection.set(candidate.collection, [...(byCollection.get(candidate.collection) ?? []), candidate]);
  }
  for (const [collection, items] of byCollection) {
    const fields = collection.fields.filter((f) => f.type === 'file');
    for (let i = 0; i < items.length; i += 500) {
      const batch = items.slice(i, i + 500);
      const records = await deps.recordsByIds(collection, [...new Set(batch.map((item) => item.recordId))]);
      for (const item of batch) {
        const record = records.get(item.recordId);
        const field = record && fields.find((f) => fileNames(record[f.name]).includes(item.name));
        const kept = field !== undefined && (item.size === undefined || (field.type === 'file' && (field.thumbs ?? []).includes(item.size)));
        if (!kept) orphans.push(item.key);
      }
    }
  }
  for (let i = 0; i < orphans.length; i += 1000) await deps.storage.delete(orphans.slice(i, i + 1000));
  return orphans.length;
}
