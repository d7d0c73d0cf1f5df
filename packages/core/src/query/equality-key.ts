import type { Condition, ConditionValue, ResolvedPath } from './filter-condition.js';

/**
 * A field of the record itself that a condition requires to hold one of `values` (`owner = "u1"`,
 * `id in (…)`): no record whose field holds another value matches. Realtime indexes subscriptions by it, so an
 * event is judged only against the subscriptions it can match.
 */
export interface EqualityKey {
  readonly field: string;
  readonly values: readonly ConditionValue[];
}

/** A plain field of the record (no relation hop, not a list): the matcher compares it with `===`, as a map key does. */
function ownScalar(path: ResolvedPath): string | undefined {
  return path.hops.length === 0 && !path.field.multiple && path.field.type !== 'json' ? path.field.name : undefined;
}

/**
 * The equality a record must satisfy to match `condition`, if one can be read off it: a comparison `=` or an
 * `in` on a plain field, one of the items of an `and` (preferring `id`), or the same field in every branch of an
 * `or` (values joined). Undefined when there is none: every record may match.
 */
export function equalityKey(condition: Condition): EqualityKey | undefined {
  switch (condition.kind) {
    case 'compare': {
      const field = condition.op === '=' ? ownScalar(condition.path) : undefined;
      return field === undefined ? undefined : { field, values: [condition.value] };
    }
    case 'in': {
      const field = ownScalar(condition.path);
      return field === undefined ? undefined : { field, values: condition.values };
    }
    case 'and': {
      const keys = condition.items.map(equalityKey).filter((key): key is EqualityKey => key !== undefined);
      return keys.find((key) => key.field === 'id') ?? keys[0];
    }
    case 'or': {
      const keys = condition.items.map(equalityKey);
      const first = keys[0];
      if (!first || keys.some((key) => key?.field !== first.field)) return undefined;
      return { field: first.field, values: [...new Set(keys.flatMap((key) => key!.values))] };
    }
    default:
      return undefined;
  }
}
