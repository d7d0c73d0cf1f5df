import { CausewayError } from '../errors/causeway-error.js';
import { isSystemField, type Collection } from '../schema/collection.js';
import type { CausewayRecord } from './record.js';

/** Which keys a response keeps: `title,author.name` keeps `title`, and `name` of the expanded author. */
export interface Projection {
  keys: Set<string>;
  nested: Map<string, Set<string>>;
}

export function parseFields(list: readonly string[], collection: Collection): Projection {
  const projection: Projection = { keys: new Set(), nested: new Map() };
  for (const entry of list) {
    const [name = '', ...rest] = entry.split('.');
    const field = collection.fields.find((f) => f.name === name);
    if (!field && !isSystemField(name)) throw new CausewayError('INVALID_QUERY', `fields: '${collection.name}' has no field '${name}'`);
    if (rest.length === 0) {
      projection.keys.add(name);
      continue;
    }
    if (field?.type !== 'relation') throw new CausewayError('INVALID_QUERY', `fields: '${name}' is not a relation, so '${entry}' selects nothing`);
    const nested = projection.nested.get(name) ?? new Set<string>();
    nested.add(rest.join('.'));
    projection.nested.set(name, nested);
  }
  return projection;
}

function pick(record: CausewayRecord, keys: ReadonlySet<string>): CausewayRecord {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (key in record) picked[key] = record[key];
  if (record.expand) picked.expand = record.expand;
  return picked as CausewayRecord;
}

/** Applies a projection to a record and its expanded relations (one level of nesting per dotted segment). */
export function projectRecord(record: CausewayRecord, projection: Projection): CausewayRecord {
  const result = projection.keys.size > 0 ? pick(record, projection.keys) : { ...record };
  if (result.expand && projection.nested.size > 0) {
    const expand: NonNullable<CausewayRecord['expand']> = { ...result.expand };
    for (const [name, keys] of projection.nested) {
      const value = expand[name];
      if (value === undefined) continue;
      const narrow = (r: CausewayRecord) => pick(r, new Set([...keys].map((k) => k.split('.')[0]!)));
      expand[name] = Array.isArray(value) ? value.map(narrow) : narrow(value);
    }
    result.expand = expand;
  }
  return result;
}
