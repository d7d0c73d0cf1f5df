import type { SqlDialect, SqlParams } from '../sql/sql-dialect.js';
import type { Condition, ResolvedPath } from './filter-condition.js';

/**
 * Compiles a condition to a SQL boolean expression over the row aliased `tableAlias`. Values are bound through
 * `params`; identifiers come from the schema and are quoted by the dialect. Every leaf is two-valued (never SQL
 * NULL), so `NOT` agrees with the in-memory matcher.
 */
export function compileCondition(condition: Condition, tableAlias: string, params: SqlParams, dialect: SqlDialect): string {
  let aliases = 0;
  const q = dialect.quoteIdent;

  /**
   * Applies `leaf` to the column a path ends at, through EXISTS subqueries for each relation hop; a hop bounded
   * by the caller's view of its target carries that condition inside its subquery, so it costs one predicate.
   * `negated` tells the leaf whether it stands under a NOT in its own scope (an EXISTS starts a new one: its
   * result is two-valued whatever its WHERE yields).
   */
  const atPath = (path: ResolvedPath, alias: string, negated: boolean, leaf: (column: string, negated: boolean) => string): string => {
    const [hop, ...rest] = path.hops;
    if (!hop) return leaf(`${alias}.${q(path.field.name)}`, negated);
    // Aliases are taken before recursing, so each subquery's are unique and read outside-in.
    const n = ++aliases;
    const target = `r${n}`;
    const source = `${alias}.${q(hop.field.name)}`;
    const elements = hop.field.multiple ? dialect.jsonArrayElements(source, `e${n}`) : undefined;
    // Compiled in text order: SQLite's placeholders are positional.
    const view = hop.view ? `${compile(hop.view, target, false)} AND ` : '';
    const inner = `${view}${atPath({ hops: rest, field: path.field }, target, false, leaf)}`;
    if (!elements) {
      return `EXISTS (SELECT 1 FROM ${q(hop.target.name)} AS ${target} WHERE ${target}.${q('id')} = ${source} AND ${inner})`;
    }
    return `EXISTS (SELECT 1 FROM ${elements.from} JOIN ${q(hop.target.name)} AS ${target} ON ${target}.${q('id')} = ${elements.value} WHERE ${inner})`;
  };

  /**
   * A comparison that is false for a null column. Outside any NOT, SQL's NULL already acts as false (WHERE keeps
   * only true, and AND/OR are monotone), so the bare comparison is exact and an index can serve it; under a NOT,
   * NULL would stay NULL where false must turn true, so the column is guarded to make the leaf two-valued.
   */
  const falseOnNull = (test: string, column: string, negated: boolean): string => (negated ? `(${test} AND ${column} IS NOT NULL)` : test);

  const compile = (c: Condition, alias: string, negated: boolean): string => {
    switch (c.kind) {
      case 'and':
      case 'or':
        // An empty list is its identity (all of nothing holds, some of nothing does not), like `every`/`some`.
        if (c.items.length === 0) return c.kind === 'and' ? '1=1' : '1=0';
        return `(${c.items.map((item) => compile(item, alias, negated)).join(c.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `NOT (${compile(c.item, alias, !negated)})`;
      case 'const':
        return c.value ? '1=1' : '1=0';
      case 'isNull':
        return atPath(c.path, alias, negated, (column) => `${column} IS ${c.negated ? 'NOT ' : ''}NULL`);
      case 'in':
        if (c.values.length === 0) return '1=0';
        return atPath(c.path, alias, negated, (column, under) => falseOnNull(`${column} IN (${c.values.map((v) => params.add(v)).join(', ')})`, column, under));
      case 'compare': {
        const { op, value } = c;
        return atPath(c.path, alias, negated, (column, under) => {
          if (c.path.field.multiple) {
            const elements = dialect.jsonArrayElements(column, `e${++aliases}`);
            const has = `EXISTS (SELECT 1 FROM ${elements.from} WHERE ${elements.value} = ${params.add(value)})`;
            return op === '~' ? has : `NOT ${has}`;
          }
          // `!=` and `!~` are true for a null column: the NOT of a guarded test is two-valued wherever it stands.
          switch (op) {
            case '=':
              return falseOnNull(`${column} = ${params.add(value)}`, column, under);
            case '!=':
              return `NOT (${column} = ${params.add(value)} AND ${column} IS NOT NULL)`;
            case '~':
              return falseOnNull(dialect.containsInsensitive(column, params.add(value)), column, under);
            case '!~':
              return `NOT (${dialect.containsInsensitive(column, params.add(value))} AND ${column} IS NOT NULL)`;
            default:
              return falseOnNull(`${column} ${op} ${params.add(value)}`, column, under);
          }
        });
      }
    }
  };

  return compile(condition, tableAlias, false);
}
