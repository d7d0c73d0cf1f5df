/**
 * Whether GraphQL source text nests braces, brackets or parentheses more than `max` deep, ignoring strings and
 * comments. graphql-js parses, validates and coerces recursively, so a document thousands of levels deep would
 * exhaust the stack; this linear scan refuses it before any of that runs.
 */
export function nestsDeeperThan(source: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      depth--;
    } else if (c === 0x23) {
      // A comment runs to the end of the line.
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (c === 0x22) {
      if (source.startsWith('"""', i)) {
        i += 3;
        while (i < source.length && !(source.startsWith('"""', i) && source[i - 1] !== '\\')) i++;
        i += 2;
      } else {
        i++;
        while (i < source.length && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      }
    }
  }
  return false;
}
