import type { Condition, ResolvedPath } from './filter-condition.js';

function pathKey(path: ResolvedPath): string {
  const hops = path.hops.map((hop) => `${hop.field.name}>${hop.target.name}${hop.view ? `[${conditionKey(hop.view)}]` : ''}.`);
  return `${hops.join('')}${path.field.name}`;
}

/**
 * A resolved condition as text, equal for two conditions exactly when they are the same tree: the same paths
 * (hops with the views that bound them), operators and values. Values are JSON, so `"1"` and `1` differ. What
 * live queries are shared by: two callers whose filter and rule resolve to the same condition see the same records.
 */
export function conditionKey(condition: Condition): string {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return `${condition.kind}(${condition.items.map(conditionKey).join(',')})`;
    case 'not':
      return `not(${conditionKey(condition.item)})`;
    case 'const':
      return String(condition.value);
    case 'compare':
      return `${pathKey(condition.path)}${condition.op}${JSON.stringify(condition.value)}`;
    case 'in':
      return `${pathKey(condition.path)} in ${JSON.stringify(condition.values)}`;
    case 'isNull':
      return `${pathKey(condition.path)} is${condition.negated ? ' not' : ''} null`;
  }
}
