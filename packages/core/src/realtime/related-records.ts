import type { Condition, RecordLookup, ResolvedPath } from '../query/index.js';
import { idsIn } from '../query/match-condition.js';
import type { RecordsByIds } from '../records/expand.js';
import type { CausewayRecord } from '../records/record.js';
import type { Collection } from '../schema/collection.js';

function pathsOf(condition: Condition, into: ResolvedPath[] = []): ResolvedPath[] {
  switch (condition.kind) {
    case 'and':
    case 'or':
      condition.items.forEach((item) => pathsOf(item, into));
      break;
    case 'not':
      pathsOf(condition.item, into);
      break;
    case 'const':
      break;
    default:
      if (condition.path.hops.length > 0) into.push(condition.path);
  }
  return into;
}

/**
 * Loads, level by level, the related records the conditions' relation paths reach from `records`, so the
 * in-memory matcher (which is synchronous) can follow them. One load per hop and collection.
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
  for (const path of conditions.flatMap((c) => pathsOf(c))) {
    let level: readonly CausewayRecord[] = records;
    for (const hop of path.hops) {
      level = await fetch(hop.target, [...new Set(level.flatMap((r) => idsIn(r[hop.field.name])))]);
      if (level.length === 0) break;
    }
  }
  return (collection, id) => loaded.get(collection)?.get(id);
}

export function hasRelationPaths(condition: Condition): boolean {
  return pathsOf(condition).length > 0;
}
