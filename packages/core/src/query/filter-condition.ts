import type { Collection } from '../schema/collection.js';
import type { FieldType, RelationField } from '../schema/field.js';
import type { CompareOp } from './filter-ast.js';

/** A value a condition compares with: never null (null comparisons become `isNull`). */
export type ConditionValue = string | number | boolean;

/** The field a path ends at. `system` covers id, created and updated. */
export interface FieldRef {
  readonly name: string;
  readonly type: FieldType | 'system';
  /** A list field (select or relation with `multiple`): comparisons test its elements. */
  readonly multiple: boolean;
}

export interface RelationHop {
  readonly field: RelationField;
  readonly target: Collection;
  /**
   * The target records this hop may reach: the target's view condition for the caller whose filter this is.
   * Absent, every target record is reachable (admins, and access rules, which an admin wrote).
   */
  readonly view?: Condition;
}

/** `author.org.name` from posts: two hops (author → authors, org → orgs), then the field `name`. */
export interface ResolvedPath {
  readonly hops: readonly RelationHop[];
  readonly field: FieldRef;
}

/**
 * A filter checked against a schema: every path exists, every value has its field's type and stored form.
 * The SQL compiler and the in-memory matcher both interpret this tree, and must agree.
 */
export type Condition =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Condition[] }
  | { readonly kind: 'not'; readonly item: Condition }
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly path: ResolvedPath; readonly value: ConditionValue }
  | { readonly kind: 'in'; readonly path: ResolvedPath; readonly values: readonly ConditionValue[] }
  | { readonly kind: 'isNull'; readonly path: ResolvedPath; readonly negated: boolean };

/** Names of the collections a condition reads, besides its own (for realtime: which writes can change a match). */
export function collectionsTouched(condition: Condition, names = new Set<string>()): Set<string> {
  for (const path of relationPaths(condition)) {
    for (const hop of path.hops) {
      names.add(hop.target.name);
      if (hop.view) collectionsTouched(hop.view, names);
    }
  }
  return names;
}

/** The paths of a condition that cross relations (not those inside their hops' views). */
export function relationPaths(condition: Condition, into: ResolvedPath[] = []): ResolvedPath[] {
  switch (condition.kind) {
    case 'and':
    case 'or':
      for (const item of condition.items) relationPaths(item, into);
      break;
    case 'not':
      relationPaths(condition.item, into);
      break;
    case 'const':
      break;
    default:
      if (condition.path.hops.length > 0) into.push(condition.path);
  }
  return into;
}

export function hasRelationPaths(condition: Condition): boolean {
  return relationPaths(condition).length > 0;
}
