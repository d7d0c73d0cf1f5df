import { CausewayError } from '../errors/causeway-error.js';
import { isStorableText, unstorableTextMessage } from '../values/storable-text.js';

export type TokenKind = 'path' | 'variable' | 'string' | 'number' | 'keyword' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text for paths, variables, keywords, operators and punctuation; the decoded value for literals. */
  text: string;
  value?: string | number;
  pos: number;
}

export const maxFilterLength = 4096;

const keywords = new Set(['in', 'is', 'not', 'null', 'true', 'false']);
const operators = ['&&', '||', '!=', '!~', '>=', '<=', '=', '>', '<', '~', '!'];
const identifier = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const number = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', '"': '"', "'": "'", '/': '/' };

export function filterError(message: string, pos: number): CausewayError {
  return new CausewayError('INVALID_FILTER', `${message} at character ${pos}`, { position: pos });
}

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const char = text[i]!;
    if (char === quote) return { value, end: i + 1 };
    if (char !== '\\') {
      value += char;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw filterError('expected four hex digits after \\u', i);
      value += String.fromCharCode(parseInt(hex, 16));
      i += 6;
    } else if (next !== undefined && next in escapes) {
      value += escapes[next];
      i += 2;
    } else {
      throw filterError(`unknown escape \\${next ?? ''}`, i);
    }
  }
  throw filterError('unterminated string starting', start);
}

/** Splits a filter into tokens, each with its 0-based character position. */
export function tokenize(text: string): Token[] {
  if (text.length > maxFilterLength) throw filterError(`the filter is longer than ${maxFilterLength} characters`, maxFilterLength);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (char === '"' || char === "'") {
      const { value, end } = readString(text, i);
      if (!isStorableText(value)) throw filterError(`the string starting here ${unstorableTextMessage}`, i);
      tokens.push({ kind: 'string', text: text.slice(i, end), value, pos: i });
      i = end;
      continue;
    }
    number.lastIndex = i;
    const numeric = /[-.0-9]/.test(char) ? number.exec(text) : null;
    if (numeric) {
      const end = i + numeric[0].length;
      const value = Number(numeric[0]);
      // `1.2.3` or `12abc` is a typo, not a number followed by something else.
      if (/[A-Za-z0-9_.]/.test(text[end] ?? '')) throw filterError('malformed number', i);
      if (!Number.isFinite(value)) throw filterError('the number is too large', i);
      tokens.push({ kind: 'number', text: numeric[0], value, pos: i });
      i = end;
      continue;
    }
    if (char === '@' || /[A-Za-z_]/.test(char)) {
      identifier.lastIndex = char === '@' ? i + 1 : i;
      const match = identifier.exec(text);
      if (!match) throw filterError("expected a name after '@'", i);
      const word = match[0];
      if (text[identifier.lastIndex] === '.') throw filterError("expected a name after '.'", identifier.lastIndex + 1);
      const kind: TokenKind = char === '@' ? 'variable' : keywords.has(word) ? 'keyword' : 'path';
      tokens.push({ kind, text: char === '@' ? `@${word}` : word, pos: i });
      i = identifier.lastIndex;
      continue;
    }
    if ('()[],'.includes(char)) {
      tokens.push({ kind: 'punct', text: char, pos: i });
      i++;
      continue;
    }
    const op = operators.find((candidate) => text.startsWith(candidate, i));
    if (!op) throw filterError(`unexpected character '${char}'`, i);
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: 'the end', pos: text.length });
  return tokens;
}
