import { describe, expect, it } from 'vitest';
import { causewayErrorOf, expectFilterError } from '../../../../test/support/causeway-error-of.js';
import { tokenize } from './filter-lexer.js';

const kinds = (text: string) => tokenize(text).map((t) => [t.kind, t.value ?? t.text, t.pos]);

describe('tokenize', () => {
  it('gives every token its kind and 0-based position, ending with eof', () => {
    expect(kinds('a.b >= -1.5e2 && @request.auth.id')).toEqual([
      ['path', 'a.b', 0],
      ['op', '>=', 4],
      ['number', -150, 7],
      ['op', '&&', 14],
      ['variable', '@request.auth.id', 17],
      ['eof', 'the end', 33],
    ]);
  });

  it('reads the longest operator first', () => {
    expect(tokenize('a!=1!~b<=c>=d<e>f=g~h!i').filter((t) => t.kind === 'op').map((t) => t.text)).toEqual(['!=', '!~', '<=', '>=', '<', '>', '=', '~', '!']);
  });

  it('treats keywords case-sensitively: only lowercase words are keywords', () => {
    expect(kinds('in IN null Null true TRUE')).toEqual([
      ['keyword', 'in', 0],
      ['path', 'IN', 3],
      ['keyword', 'null', 6],
      ['path', 'Null', 11],
      ['keyword', 'true', 16],
      ['path', 'TRUE', 21],
      ['eof', 'the end', 25],
    ]);
  });

  it.each([
    ['"a\\"b"', 'a"b'],
    ["'a\\'b'", "a'b"],
    ['"back\\\\slash"', 'back\\slash'],
    ['"tab\\tnew\\nline"', 'tab\tnew\nline'],
    ['"\\u00e9\\u00C9"', 'éÉ'],
    ['"\\ud83d\\ude00"', '😀'],
    ['"it\'s"', "it's"],
    ["'say \"hi\"'", 'say "hi"'],
    ['"😀 İ ß"', '😀 İ ß'],
    ['""', ''],
  ])('decodes the string literal %s', (text, value) => {
    expect(tokenize(text)[0]).toMatchObject({ kind: 'string', value, pos: 0 });
  });

  it.each([
    ['1', 1],
    ['-12', -12],
    ['3.5', 3.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['2E-2', 0.02],
    ['-0', -0],
  ])('reads the number %s', (text, value) => {
    expect(tokenize(text)[0]).toMatchObject({ kind: 'number', value });
  });

  it('accepts any whitespace between tokens', () => {
    expect(kinds(' \t\na\r\n=\u00a01 ').map(([kind]) => kind)).toEqual(['path', 'op', 'number', 'eof']);
  });

  it.each([
    ['a = "open', 4, 'unterminated string starting'],
    ["a = 'x\"", 4, 'unterminated string starting'],
    ['a = "\\q"', 5, 'unknown escape \\q'],
    ['a = "\\u12"', 5, 'expected four hex digits'],
    ['a = "\\ud800"', 4, 'lone surrogate'],
    ['a = "x\udc00"', 4, 'lone surrogate'],
    ['a = 1.2.3', 4, 'malformed number'],
    ['a = 12abc', 4, 'malformed number'],
    ['a = 1e999', 4, 'the number is too large'],
    ['a = #', 4, "unexpected character '#'"],
    ['a = .', 4, "unexpected character '.'"],
    ['a = - 1', 4, "unexpected character '-'"],
    ['author. = 1', 7, "expected a name after '.'"],
    ['author..name = 1', 7, "expected a name after '.'"],
    ['@ = 1', 0, "expected a name after '@'"],
    ['a & b', 2, "unexpected character '&'"],
  ])('rejects %j at character %i', (text, position, message) => {
    expectFilterError(causewayErrorOf(() => tokenize(text)), position, message);
  });

  it('refuses text longer than 4096 characters before reading it', () => {
    expectFilterError(causewayErrorOf(() => tokenize(' '.repeat(4097))), 4096, 'longer than 4096');
    expect(tokenize(' '.repeat(4096))).toHaveLength(1);
  });
});
