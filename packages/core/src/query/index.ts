export * from './filter-ast.js';
export { parseFilter, checkFilterDepth, maxFilterDepth } from './filter-parser.js';
export { maxFilterLength } from './filter-lexer.js';
export { printFilter } from './print-filter.js';
export * from './filter-condition.js';
export { resolveFilter, maxRelationHops, type FilterVariables } from './resolve-filter.js';
export { compileCondition } from './compile-condition.js';
export { matchesCondition, type RecordLookup, type RecordValues } from './match-condition.js';
export { compareCodePoints } from './compare-values.js';
