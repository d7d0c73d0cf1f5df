import { CausewayError, type FieldIssue } from '../errors/causeway-error.js';
import type { Collection } from '../schema/collection.js';
import type { RelationField } from '../schema/field.js';
import type { RelationReference, SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import type { SqlExecutor, SqlRow } from '../sql/sql-database.js';
import { SqlParams } from '../sql/sql-dialect.js';
import type { RecordsByIds } from './expand.js';
import type { CausewayRecord } from './record.js';
import { idsIn } from '../query/match-condition.js';

/** How a write's relation targets are checked. */
export interface LinkCheck {
  /** Every record by id: a target must exist. */
  existing: RecordsByIds;
  /** The records the writer may view, when it is not an admin: only those may be linked, unless the field says `linkAny`. */
  viewable?: RecordsByIds;
  /** The record before an update: ids it already held are not checked again. */
  previous?: CausewayRecord;
}

/**
 * Relation targets must exist when written, and a non-admin may link only records it may view, so a relation
 * cannot become a window onto records hidden from it (its filters follow relations). A target the writer may
 * not view is refused exactly like a missing one, so the answer does not reveal that it exists.
 * `onDelete` rules of relations are applied by the core, not by database foreign keys, so that every cascaded
 * delete and set-null lands in the change log too.
 */
export async function checkRelationTargets(
  collection: Collection,
  values: Readonly<Record<string, unknown>>,
  schema: SchemaRegistry,
  check: LinkCheck,
): Promise<void> {
  const issues: Record<string, FieldIssue> = {};
  for (const field of collection.fields) {
    if (field.type !== 'relation') continue;
    const held = new Set(check.previous ? idsIn(check.previous[field.name]) : []);
    const ids = idsIn(values[field.name]).filter((id) => !held.has(id));
    if (ids.length === 0) continue;
    const target = schema.collection(field.collection);
    const load = check.viewable && !field.linkAny ? check.viewable : check.existing;
    const found = target ? await load(target, ids) : new Map();
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      issues[field.name] = { code: 'not_found', message: `no record '${missing[0]}' in '${field.collection}'` };
    }
  }
  if (Object.keys(issues).length > 0) {
    throw new CausewayError('VALIDATION_FAILED', `The record does not fit collection '${collection.name}'.`, { fields: issues });
  }
}

/** Records of `reference.collection` whose relation field points at `id`, locked for the delete that follows. */
export async function findReferencing(tx: SqlExecutor, dialect: SqlDialect, reference: RelationReference, id: string): Promise<SqlRow[]> {
  const params = new SqlParams(dialect);
  const column = `t.${dialect.quoteIdent(reference.field.name)}`;
  let condition: string;
  if (reference.field.multiple) {
    const elements = dialect.jsonArrayElements(column, 'e');
    condition = `EXISTS (SELECT 1 FROM ${elements.from} WHERE ${elements.value} = ${params.add(id)})`;
  } else {
    condition = `${column} = ${params.add(id)}`;
  }
  // Locked: a delete rewrites or removes what it found, so a concurrent write must not change it in between.
  return tx.all(`SELECT * FROM ${dialect.quoteIdent(reference.collection.name)} AS t WHERE ${condition}${dialect.rowLock('update')}`, params.values);
}

/** The value a relation field holds once `id` is removed from it. */
export function withoutTarget(field: RelationField, value: unknown, id: string): unknown {
  return field.multiple ? (value as string[]).filter((x) => x !== id) : null;
}
