import { compareValues, containsFolded } from './compare-values.js';
import type { Condition, ConditionValue, ResolvedPath } from './filter-condition.js';

export type RecordValues = Readonly<Record<string, unknown>>;
/** Finds a related record by collection and id; undefined when it does not exist. */
export type RecordLookup = (collection: string, id: string) => RecordValues | undefined;

/** The ids a relation value holds (one id, a list, or none). */
export function idsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** The records a path's last field is read from: the record itself, or those reached through relations. */
function reached(path: ResolvedPath, record: RecordValues, lookup: RecordLookup): RecordValues[] {
  let current = [record];
  for (const hop of path.hops) {
    current = current.flatMap((r) =>
      idsIn(r[hop.field.name]).flatMap((id): RecordValues[] => {
        const found = lookup(hop.target.name, id);
        // A hop bounded by the caller's view of its target reaches only the records that view holds.
        return found && (!hop.view || matchesCondition(hop.view, found, lookup)) ? [found] : [];
      }),
    );
  }
  return current;
}

function equals(actual: unknown, expected: ConditionValue): boolean {
  return actual !== null && actual !== undefined && actual === expected;
}

function leaf(c: Extract<Condition, { kind: 'compare' | 'in' | 'isNull' }>, value: unknown): boolean {
  if (c.kind === 'isNull') {
    // A list stores its empty value as NULL; a json field's `[]` is a value like any other.
    const empty = value === null || value === undefined || (c.path.field.multiple && Array.isArray(value) && value.length === 0);
    return empty !== c.negated;
  }
  if (c.kind === 'in') return c.values.some((v) => equals(value, v));
  if (c.path.field.multiple) {
    const has = Array.isArray(value) && value.includes(c.value);
    return c.op === '~' ? has : !has;
  }
  const present = value !== null && value !== undefined;
  switch (c.op) {
    case '=':
      return equals(value, c.value);
    case '!=':
      return !equals(value, c.value);
    case '~':
      return present && containsFolded(String(value), String(c.value));
    case '!~':
      return !(present && containsFolded(String(value), String(c.value)));
    default: {
      if (!present) return false;
      const order = compareValues(value as ConditionValue, c.value);
      return c.op === '>' ? order > 0 : c.op === '>=' ? order >= 0 : c.op === '<' ? order < 0 : order <= 0;
    }
  }
}

/**
 * Evaluates a condition against a record in memory, with the same meaning as its SQL (realtime matching,
 * rules on records not yet written). Paths through relations are existential, like the SQL's EXISTS.
 */
export function matchesCondition(condition: Condition, record: RecordValues, lookup: RecordLookup): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.items.every((c) => matchesCondition(c, record, lookup));
    case 'or':
      return condition.items.some((c) => matchesCondition(c, record, lookup));
    case 'not':
      return !matchesCondition(condition.item, record, lookup);
    case 'const':
      return condition.value;
    default:
      return reached(condition.path, record, lookup).some((r) => leaf(condition, r[condition.path.field.name]));
  }
}
