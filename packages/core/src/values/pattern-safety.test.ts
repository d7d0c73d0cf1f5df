import { describe, expect, it } from 'vitest';
import { unsafePatternReason } from './pattern-safety.js';

describe('unsafePatternReason', () => {
  it.each(['(a+)+$', '(a*)*', '(\\w+\\s?)*$', '(a|ab)*c', '(a|a)+$', '((ab)*c)+', '^(a+)+b', '(.*a){20}', '(\\1)', '(?:x+x+)+y', '([a-z]|[0-9])+'])('refuses %s', (pattern) => {
    expect(unsafePatternReason(pattern)).toBeDefined();
  });

  it.each(['^[a-z0-9-]+$', '^[A-Z]{3}$', '(ab|cd)?', '(a|b|-)+', '^\\d{4}-\\d{2}-\\d{2}$', '^[^@]+@[^@]+$', '(ab)+', 'colou?r', '^(?:[a-z]+)$', '^\\p{L}+$'])('accepts %s', (pattern) => {
    expect(unsafePatternReason(pattern)).toBeUndefined();
  });
});
