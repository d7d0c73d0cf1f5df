import type { CompareOp, FilterNode, LiteralOperand, Operand } from './filter-ast.js';
import { filterError, tokenize, type Token } from './filter-lexer.js';

export const maxFilterDepth = 64;
const compareOps = new Set<string>(['=', '!=', '>', '>=', '<', '<=', '~', '!~']);

/**
 * Refuses a filter tree a surface built itself (GraphQL's `where`) that nests deeper than text could: every
 * interpreter walks trees recursively. Long `and`/`or` lists are balanced by their builders, so they stay shallow.
 */
export function checkFilterDepth(node: FilterNode, limit = maxFilterDepth * 2): void {
  const walk = (n: FilterNode, depth: number): void => {
    if (depth > limit) throw filterError(`the filter nests deeper than ${limit} levels`, 0);
    if (n.kind === 'and' || n.kind === 'or') {
      walk(n.left, depth + 1);
      walk(n.right, depth + 1);
    } else if (n.kind === 'not') walk(n.operand, depth + 1);
  };
  walk(node, 1);
}

function describe(token: Token): string {
  return token.kind === 'eof' ? 'the end' : `'${token.text}'`;
}

/**
 * Parses the Causeway filter language. Precedence, tightest first: `!`, comparisons, `&&`, `||`.
 *
 * @example parseFilter('published = true && (views > 10 || author.name ~ "ann")')
 */
export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let index = 0;
  let depth = 0;
  const peek = () => tokens[index]!;
  const next = () => tokens[index++]!;
  const expect = (predicate: (t: Token) => boolean, what: string): Token => {
    const token = next();
    if (!predicate(token)) throw filterError(`expected ${what}, found ${describe(token)}`, token.pos);
    return token;
  };
  const nest = <T>(pos: number, parse: () => T): T => {
    if (++depth > maxFilterDepth) throw filterError(`the filter nests deeper than ${maxFilterDepth} levels`, pos);
    const result = parse();
    depth--;
    return result;
  };

  function operand(what: string): Operand {
    const token = next();
    switch (token.kind) {
      case 'path':
        return { kind: 'path', segments: token.text.split('.'), pos: token.pos };
      case 'variable':
        return { kind: 'variable', name: token.text, pos: token.pos };
      case 'string':
      case 'number':
        return { kind: 'literal', value: token.value!, pos: token.pos };
      case 'keyword':
        if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true', pos: token.pos };
        if (token.text === 'null') return { kind: 'literal', value: null, pos: token.pos } satisfies LiteralOperand;
    }
    throw filterError(`expected ${what}, found ${describe(token)}`, token.pos);
  }

  function comparison(): FilterNode {
    const left = operand('a field, a value or (');
    const token = peek();
    if (token.kind === 'op' && compareOps.has(token.text)) {
      next();
      const right = operand(`a value after '${token.text}'`);
      return { kind: 'compare', op: token.text as CompareOp, left, right, pos: token.pos };
    }
    if (token.kind === 'keyword' && token.text === 'in') {
      next();
      expect((t) => t.text === '[' && t.kind === 'punct', "'[' after 'in'");
      const items: Operand[] = [];
      if (peek().text !== ']') {
        do items.push(operand('a value in the list'));
        while (peek().text === ',' && next());
      }
      expect((t) => t.text === ']' && t.kind === 'punct', "',' or ']'");
      return { kind: 'in', left, items, pos: token.pos };
    }
    if (token.kind === 'keyword' && token.text === 'is') {
      next();
      const negated = peek().kind === 'keyword' && peek().text === 'not';
      if (negated) next();
      expect((t) => t.kind === 'keyword' && t.text === 'null', `'null' after '${negated ? 'is not' : 'is'}'`);
      return { kind: 'isNull', operand: left, negated, pos: token.pos };
    }
    throw filterError(`expected an operator (= != > >= < <= ~ !~ in is), found ${describe(token)}`, token.pos);
  }

  function unary(): FilterNode {
    const token = peek();
    if (token.kind === 'op' && token.text === '!') {
      next();
      return nest(token.pos, () => ({ kind: 'not', operand: unary(), pos: token.pos }));
    }
    if (token.kind === 'punct' && token.text === '(') {
      next();
      const inner = nest(token.pos, () => or());
      expect((t) => t.kind === 'punct' && t.text === ')', "')' or an operator (&& ||)");
      return inner;
    }
    return comparison();
  }

  /** A left-associative chain of `operand (op operand)*`. */
  const chain = (kind: 'and' | 'or', op: string, operand: () => FilterNode) => (): FilterNode => {
    let left = operand();
    while (peek().kind === 'op' && peek().text === op) {
      next();
      left = { kind, left, right: operand() };
    }
    return left;
  };
  const and = chain('and', '&&', unary);
  function or(): FilterNode {
    return chain('or', '||', and)();
  }

  if (peek().kind === 'eof') throw filterError('the filter is empty: expected a condition', 0);
  const tree = or();
  const rest = peek();
  if (rest.kind !== 'eof') throw filterError(`expected && or || or the end, found ${describe(rest)}`, rest.pos);
  return tree;
}
