import { relationPaths, type Condition, type RecordLookup } from '../query/index.js';
import { idsIn } from '../query/match-condition.js';
import type { RecordsByIds } from '../records/expand.js';
import type { CausewayRecord } from '../records/record.js';
import type { Collection } from '../schema/collection.js';

/**
 * Loads, level by level, the related records the conditions' relation paths reach from `records` — and those
 * the hops' view conditions reach from theirs — so the in-memory matcher (which is synchronous) can follow them.
 * One load per hop and collection.
 */
export async function relatedLookup(conditions: readonly Condition[], records: readonly CausewayRecord[], load: RecordsByIds): Promise<RecordLookup> {
  const loaded = new Map<string, Map<string, CausewayRecord>>();
  const fetch = async (collection: Collection, ids: string[]): Promise<CausewayRecord[]> => {
    let cache = loaded.get(collection.name);
    if (!cache) loaded.set(collection.name, (cache = new Map()));
    const missing = ids.filter((id) => !cache.has(id));
    if (missing.length > 0) for (const [id, record] of await load(collection, missing)) cache.set(id, record);
    return ids.flatMap((id) => cache.get(id) ?? []);
  };
  const follow = async (condition: Condition, from: readonly CausewayRecord[]): Promise<void> => {
    for (const path of relationPaths(condition)) {
      let level = from;
      for (const hop of path.hops) {
        level = await fetch(hop.target, [...new Set(level.flatMap((r) => idsIn(r[hop.field.name])))]);
        if (level.length === 0) break;
        if (hop.view) await follow(hop.view, level);
      }
    }
  };
  for (const condition of conditions) await follow(condition, records);
  return (collection, id) => loaded.get(collection)?.get(id);
}
