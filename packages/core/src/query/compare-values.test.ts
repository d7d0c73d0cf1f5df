import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, compareValues, containsFolded } from './compare-values.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('compareCodePoints', () => {
  it('orders astral characters after the whole BMP, as UTF-8 bytes do (UTF-16 units would not)', () => {
    expect('😀' < '\uE000').toBe(true);
    expect(compareCodePoints('😀', '\uE000')).toBe(1);
    expect(compareCodePoints('a😀', 'a\uFFFF')).toBe(1);
  });

  it('puts a prefix first and equal strings level', () => {
    expect(compareCodePoints('ab', 'abc')).toBe(-1);
    expect(compareCodePoints('😀', '😀x')).toBe(-1);
    expect(compareCodePoints('😀', '😀')).toBe(0);
    expect(compareCodePoints('', '')).toBe(0);
  });

  it('agrees with a byte comparison of UTF-8 on any well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (p, a, b) => {
        expect(compareCodePoints(p + a, p + b)).toBe(Math.sign(Buffer.compare(utf8(p + a), utf8(p + b))));
      }),
    );
  });
});

describe('compareValues and containsFolded', () => {
  it('compares numbers numerically, integers and floats alike', () => {
    expect(compareValues(2, 10)).toBe(-1);
    expect(compareValues(1, 1.0)).toBe(0);
    expect(compareValues(-0, 0)).toBe(0);
  });

  it('folds case with toLowerCase on both sides, and an empty needle matches', () => {
    expect(containsFolded('Hello WORLD', 'o w')).toBe(true);
    expect(containsFolded('İstanbul', 'i̇stan')).toBe(true);
    expect(containsFolded('STRASSE', 'ß')).toBe(false);
    expect(containsFolded('', '')).toBe(true);
  });
});
