import { describe, expect, it } from 'vitest';
import { PreparedStatements } from './prepared-statements.js';

describe('PreparedStatements', () => {
  it('admits the first distinct texts up to the count, and those again, but no new one after', () => {
    const prepared = new PreparedStatements(2, 1000);
    expect(prepared.admits('SELECT 1')).toBe(true);
    expect(prepared.admits('SELECT 2')).toBe(true);
    expect(prepared.admits('SELECT 3')).toBe(false);
    expect(prepared.admits('SELECT 1')).toBe(true);
  });

  it('admits no text that would take the total length past the bound', () => {
    const prepared = new PreparedStatements(100, 20);
    expect(prepared.admits('x'.repeat(15))).toBe(true);
    expect(prepared.admits('y'.repeat(6))).toBe(false);
    expect(prepared.admits('z'.repeat(5))).toBe(true);
  });
});
