/* Type-level reading of filter text: see `FilterText`. */

type Space = ' ' | '\n' | '\t' | '\r';
type TrimStart<S extends string> = S extends `${Space}${infer R}` ? TrimStart<R> : S;
/** Spaces, `(` and `!` before an operand. */
type Opening<S extends string> = S extends `${Space | '(' | '!'}${infer R}` ? Opening<R> : S;
/** Spaces and `)` after a value. */
type Closing<S extends string> = S extends `${Space | ')'}${infer R}` ? Closing<R> : S;
type Letter = 'a'|'b'|'c'|'d'|'e'|'f'|'g'|'h'|'i'|'j'|'k'|'l'|'m'|'n'|'o'|'p'|'q'|'r'|'s'|'t'|'u'|'v'|'w'|'x'|'y'|'z';
type NameStart = Letter | Uppercase<Letter> | '_';
type NotInName = '=' | '!' | '<' | '>' | '~' | '(' | ')' | '"' | "'" | '[' | ']' | ',' | '&' | '|' | '@' | '-' | '+';
type Keyword = 'in' | 'is' | 'not' | 'null' | 'true' | 'false';
type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~' | 'in' | 'is';
type Head<P extends string> = P extends `${infer H}.${string}` ? H : P;
/** The operand's first name when it is a plain name that `K` lacks; `false` otherwise. */
type Unknown<P extends string, K extends string> = Head<P> extends K | Keyword ? false
  : Head<P> extends `${NameStart}${string}` ? (Head<P> extends `${string}${NotInName}${string}` ? false : Head<P>) : false;
/** The text after a comparison's `&&` or `||`, or `false` at the end or where the checker stops understanding. */
type Next<A extends string> = Closing<A> extends `&&${infer N}` | `||${infer N}` ? N : false;
type AfterValue<V extends string> =
  V extends `"${infer T}"${infer A}` ? (T extends `${string}\\${string}` ? false : Next<A>)
  : V extends `'${infer T}'${infer A}` ? (T extends `${string}\\${string}` ? false : Next<A>)
  : V extends `[${infer T}]${infer A}` ? (T extends `${string}${'"' | "'"}${string}` ? false : Next<A>)
  : V extends `${string} ${infer A}` ? Next<A> : false;
type AfterOperator<R extends string> = R extends `${infer Op} ${infer V}` ? (Op extends Operator ? AfterValue<Op extends 'is' ? (TrimStart<V> extends `not ${infer W}` ? TrimStart<W> : TrimStart<V>) : TrimStart<V>> : false) : false;
/** The first unknown field name a filter's comparisons start with, or `false`. */
export type UnknownFilterField<S extends string, K extends string, N extends 0[] = []> =
  N['length'] extends 32 ? false
  : Opening<S> extends `${infer P} ${infer R}`
    ? Unknown<P, K> extends infer Bad extends string ? Bad
      : AfterOperator<TrimStart<R>> extends infer Rest extends string ? UnknownFilterField<Rest, K, [...N, 0]> : false
    : false;
/**
 * Filter text checked against a collection's field names `K` where TypeScript can: a literal whose comparisons
 * start with a field the collection lacks (`titel = "a"`, `a = 1 && viewz > 2`) is refused with the unknown name.
 * It reads `field op value` comparisons joined by `&&` / `||`, with parentheses and `!`, quoted strings, lists, and
 * `is [not] null`; where it meets anything else (an escaped quote, operators without spaces around them) it stops and
 * accepts the rest, so a valid filter is never refused. Only the first name of a path is checked; text that is not
 * a literal (a `string` variable) is not checked. The server checks everything.
 */
export type FilterText<S extends string, K extends string> = string extends S ? S : string extends K ? S : UnknownFilterField<S, K> extends infer Bad extends string ? `unknown field '${Bad}'` : S;

