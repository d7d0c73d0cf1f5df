import { CausewayError } from '../errors/causeway-error.js';
import type { Collection } from '../schema/collection.js';
import type { RelationField } from '../schema/field.js';
import type { SchemaLookup } from '../schema/schema-lookup.js';
import type { CausewayRecord } from './record.js';

export const maxExpandDepth = 4;
const maxExpandPaths = 16;

/** Relations to expand, as a tree: `author.org` and `tags` → { author: { org: {} }, tags: {} }. */
export interface ExpandNode {
  field: RelationField;
  target: Collection;
  children: ExpandNode[];
}

export function parseExpand(paths: readonly string[], collection: Collection, schema: SchemaLookup): ExpandNode[] {
  if (paths.length > maxExpandPaths) throw new CausewayError('INVALID_QUERY', `expand takes at most ${maxExpandPaths} paths`);
  const roots: ExpandNode[] = [];
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > maxExpandDepth) {
      throw new CausewayError('INVALID_QUERY', `expand '${path}' is deeper than ${maxExpandDepth} relations`);
    }
    let level = roots;
    let current = collection;
    for (const name of segments) {
      const field = current.fields.find((f) => f.name === name);
      const target = field?.type === 'relation' ? schema.collection(field.collection) : undefined;
      if (!field || field.type !== 'relation' || !target) {
        throw new CausewayError('INVALID_QUERY', `cannot expand '${path}': '${name}' is not a relation field of '${current.name}'`);
      }
      let node = level.find((n) => n.field.name === name);
      if (!node) {
        node = { field, target, children: [] };
        level.push(node);
      }
      level = node.children;
      current = target;
    }
  }
  return roots;
}

/** Loads records of one collection by id: one statement whatever the number of ids. */
export type RecordsByIds = (collection: Collection, ids: readonly string[]) => Promise<Map<string, CausewayRecord>>;

function relatedIds(record: CausewayRecord, field: RelationField): string[] {
  const value = record[field.name];
  if (Array.isArray(value)) return value as string[];
  return typeof value === 'string' ? [value] : [];
}

/**
 * Fills `expand` on every record, level by level: one load per relation per level, so the number of
 * statements grows with the expand tree, never with the number of records.
 */
export async function expandRecords(records: readonly CausewayRecord[], nodes: readonly ExpandNode[], load: RecordsByIds): Promise<void> {
  for (const node of nodes) {
    const ids = new Set<string>();
    for (const record of records) for (const id of relatedIds(record, node.field)) ids.add(id);
    if (ids.size === 0) continue;
    const related = await load(node.target, [...ids]);
    await expandRecords([...related.values()], node.children, load);
    for (const record of records) {
      const found = relatedIds(record, node.field).flatMap((id) => related.get(id) ?? []);
      if (found.length === 0 && !node.field.multiple) continue;
      record.expand ??= {};
      record.expand[node.field.name] = node.field.multiple ? found : found[0]!;
    }
  }
}
