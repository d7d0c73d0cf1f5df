/**
 * The deepest a json field value may nest (objects and arrays inside one another). Deeper values are refused at
 * validation: serialising and walking them recursively would exhaust the stack long before any real use needs
 * them.
 */
export const maxJsonDepth = 64;

/**
 * Whether a JSON value nests more than `max` objects or arrays deep (a scalar is 0 deep, `{}` and `[]` 1).
 * Iterative, so a value of any depth is measured without recursion; stops at the first path past the limit.
 */
export function jsonDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child as object, depth + 1]);
    }
  }
  return false;
}
