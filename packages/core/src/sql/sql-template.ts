import { SqlParams, type SqlDialect } from './sql-dialect.js';

/** Trusted SQL text (identifiers, compiled fragments) to splice into a template as is. */
export class SqlText {
  constructor(readonly text: string) {}
}

export interface SqlStatement {
  text: string;
  params: unknown[];
}

/**
 * Builds statements from template literals: interpolated values become bound parameters in the dialect's
 * placeholder style; only `SqlText` is spliced in as text. `s.id(name)` quotes an identifier.
 *
 * @example
 * const s = sqlTemplate(dialect);
 * const { text, params } = s.q`SELECT * FROM ${s.id('posts')} WHERE id = ${id}`;
 */
export function sqlTemplate(dialect: SqlDialect) {
  return {
    id: (name: string) => new SqlText(dialect.quoteIdent(name)),
    params: () => new SqlParams(dialect),
    q(strings: TemplateStringsArray, ...values: unknown[]): SqlStatement {
      const params = new SqlParams(dialect);
      let text = strings[0] ?? '';
      values.forEach((value, i) => {
        text += (value instanceof SqlText ? value.text : bind(params, value)) + (strings[i + 1] ?? '');
      });
      return { text, params: params.values };
    },
  };
}

export type SqlTemplate = ReturnType<typeof sqlTemplate>;

function bind(params: SqlParams, value: unknown): string {
  return typeof value === 'boolean' ? params.add(value) : params.addRaw(value);
}

/** A statement as the executor's arguments: `tx.run(...args(s.q\`…\`))`. */
export function args(statement: SqlStatement): [string, unknown[]] {
  return [statement.text, statement.params];
}
