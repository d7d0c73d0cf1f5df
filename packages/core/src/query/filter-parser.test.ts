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
  ])('rejects %j at character %i', (text, position, message) => {
    expectFilterError(failure(text), position, message);
  });

  it('refuses nesting deeper than 64 levels instead of overflowing the stack', () => {
    expect(failure(`${'('.repeat(65)}a = 1${')'.repeat(65)}`).message).toContain('deeper than 64');
    expect(failure('!'.repeat(10_000) + 'a = 1').code).toBe('INVALID_FILTER');
  });

  it('refuses a filter longer than 4096 characters', () => {
    expect(failure(`a = "${'x'.repeat(5000)}"`).message).toContain('longer than 4096');
  });
});
