import { CausewayError, type FieldIssue } from '../errors/causeway-error.js';
import type { Collection } from '../schema/collection.js';
import type { RelationField } from '../schema/field.js';
import type { RelationReference, SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import type { SqlExecutor, SqlRow } from '../sql/sql-database.js';
import { SqlParams } from '../sql/sql-dialect.js';
import type { RecordsByIds } from './expand.js';

/**
 * Relation targets must exist when written; relation `onDelete` rules are applied by the core, not by
 * database foreign keys, so that every cascaded delete and set-null lands in the change log too.
 */
export async function checkRelationTargets(
  collection: Collection,
  values: Readonly<Record<string, unknown>>,
  schema: SchemaRegistry,
  load: RecordsByIds,
): Promise<void> {
  const issues: Record<string, FieldIssue> = {};
  for (const field of collection.fields) {
    if (field.type !== 'relation') continue;
    const value = values[field.name];
    const ids = Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
    if (ids.length === 0) continue;
    const target = schema.collection(field.collection);
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

/** Records of `reference.collection` whose relation field points at `id`. */
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
  return tx.all(`SELECT * FROM ${dialect.quoteIdent(reference.collection.name)} AS t WHERE ${condition}`, params.values);
}

/** The value a relation field holds once `id` is removed from it. */
export function withoutTarget(field: RelationField, value: unknown, id: string): unknown {
  return field.multiple ? (value as string[]).filter((x) => x !== id) : null;
}
