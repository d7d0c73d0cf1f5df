// Text every database stores as given. A lone surrogate cannot be encoded as UTF-8 (the driver would bind
// U+FFFD instead, so SQL would match records the in-memory matcher does not, and a stored value would change),
// and PostgreSQL text cannot hold U+0000 at all. Both are refused wherever text comes in: record values,
// filter strings, rule variables.
const unstorable = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/;

export function isStorableText(text: string): boolean {
  return !unstorable.test(text);
}

export const unstorableTextMessage = 'holds a NUL character or a lone surrogate (not storable Unicode text)';
