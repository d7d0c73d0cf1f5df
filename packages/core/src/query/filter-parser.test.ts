import { describe, expect, it } from 'vitest';
import { causewayErrorOf, expectFilterError } from '../../../../test/support/causeway-error-of.js';
import { parseFilter } from './filter-parser.js';
import { printFilter } from './print-filter.js';

const failure = (text: string) => causewayErrorOf(() => parseFilter(text));

describe('parseFilter', () => {
  it.each([
    ['a = 1 || b = 2 && c = 3', '(a = 1 || (b = 2 && c = 3))'],
    ['(a = 1 || b = 2) && c = 3', '((a = 1 || b = 2) && c = 3)'],
    ['!a = 1 && b = 2', '(!(a = 1) && b = 2)'],
    ['!!(a ~ "x")', '!(!(a ~ "x"))'],
    ['author.name != \'O\\\'Neil\'', 'author.name != "O\'Neil"'],
    ['n in [1, -2.5, 1e3]', 'n in [1, -2.5, 1000]'],
    ['t in []', 't in []'],
    ['x is not null||y is null', '(x is not null || y is null)'],
    ['owner = @request.auth.id', 'owner = @request.auth.id'],
    ['"\\u00e9\\n" = s', '"é\\n" = s'],
    ['flag = true && other = false && z = null', '((flag = true && other = false) && z = null)'],
    ['a = 1 || b = 2 || c = 3', '((a = 1 || b = 2) || c = 3)'],
    ['!a in [1] || !b is null', '(!(a in [1]) || !(b is null))'],
    ['!(a = 1 || b = 2) && c = 3', '(!((a = 1 || b = 2)) && c = 3)'],
    ['((((a = 1))))', 'a = 1'],
    ['5 < n', '5 < n'],
    ['a.b.c.d.e <= -0.5', 'a.b.c.d.e <= -0.5'],
    ['\n\ta>=1\n', 'a >= 1'],
  ])('parses %s', (text, printed) => {
    expect(printFilter(parseFilter(text))).toBe(printed);
  });

  it.each([
    ['', 0, 'empty'],
    ['title = ', 8, "expected a value after '='"],
    ['title', 5, 'expected an operator'],
    ['title = "open', 8, 'unterminated string'],
    ['(a = 1', 6, "expected ')'"],
    ['a = 1 b = 2', 6, 'expected && or ||'],
    ['a == 1', 3, 'expected a value'],
    ['a = 1 & b = 2', 6, "unexpected character '&'"],
    ['a in [1, 2', 10, "expected ',' or ']'"],
    ['a is nothing', 5, "expected 'null'"],
    ['a = "\\x"', 5, 'unknown escape'],
    ['a = @', 4, "expected a name after '@'"],
    ['   ', 0, 'empty'],
    ['a IN [1]', 2, "found 'IN'"],
    ['a in 1', 5, "expected '[' after 'in'"],
    ['a in [1,]', 8, 'expected a value in the list'],
    ['a is not 5', 9, "expected 'null' after 'is not'"],
    ['a = 1 &&', 8, 'expected a field, a value or (, found the end'],
    ['&& a = 1', 0, "expected a field, a value or (, found '&&'"],
    ['a = 1)', 5, "expected && or || or the end, found ')'"],
    ['a = (1)', 4, "expected a value after '=', found '('"],
  ])('rejects %j at character %i', (text, position, message) => {
    expectFilterError(failure(text), position, message);
  });

  it('records the position of every node', () => {
    expect(parseFilter('  !(x  = 1) || y in [2] && z is null')).toMatchObject({
      kind: 'or',
      left: { kind: 'not', pos: 2, operand: { kind: 'compare', pos: 7, left: { pos: 4 }, right: { pos: 9 } } },
      right: { kind: 'and', left: { kind: 'in', pos: 17, items: [{ pos: 21 }] }, right: { kind: 'isNull', pos: 29, operand: { pos: 27 } } },
    });
  });

  it('accepts nesting of exactly 64 levels', () => {
    expect(printFilter(parseFilter(`${'('.repeat(32)}${'!'.repeat(32)}a = 1${')'.repeat(32)}`))).toContain('a = 1');
  });

  it('refuses nesting deeper than 64 levels instead of overflowing the stack', () => {
    expect(failure(`${'('.repeat(65)}a = 1${')'.repeat(65)}`).message).toContain('deeper than 64');
    expect(failure('!'.repeat(10_000) + 'a = 1').code).toBe('INVALID_FILTER');
  });

  it('refuses a filter longer than 4096 characters', () => {
    expect(failure(`a = "${'x'.repeat(5000)}"`).message).toContain('longer than 4096');
  });
});
