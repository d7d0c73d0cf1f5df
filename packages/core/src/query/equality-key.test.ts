import { describe, expect, it } from 'vitest';
import { equalityKey } from './equality-key.js';
import type { Condition, FieldRef, ResolvedPath } from './filter-condition.js';

const field = (name: string, extra: Partial<FieldRef> = {}): ResolvedPath => ({ hops: [], field: { name, type: 'text', multiple: false, ...extra } });
const eq = (name: string, value: string | number, extra: Partial<FieldRef> = {}): Condition => ({ kind: 'compare', op: '=', path: field(name, extra), value });

describe('equalityKey', () => {
  it('reads the field and value of an equality on a plain field', () => {
    expect(equalityKey(eq('owner', 'u1'))).toEqual({ field: 'owner', values: ['u1'] });
    expect(equalityKey({ kind: 'in', path: field('status'), values: ['a', 'b'] })).toEqual({ field: 'status', values: ['a', 'b'] });
  });

  it('prefers id among the items of an and, else takes the first keyed item', () => {
    const rank: Condition = { kind: 'compare', op: '>', path: field('rank', { type: 'number' }), value: 2 };
    expect(equalityKey({ kind: 'and', items: [rank, eq('owner', 'u1'), eq('id', 'r1', { type: 'system' })] })).toEqual({ field: 'id', values: ['r1'] });
    expect(equalityKey({ kind: 'and', items: [rank, eq('owner', 'u1')] })).toEqual({ field: 'owner', values: ['u1'] });
  });

  it('joins the values of an or only when every branch keys the same field', () => {
    expect(equalityKey({ kind: 'or', items: [eq('status', 'a'), eq('status', 'b'), eq('status', 'a')] })).toEqual({ field: 'status', values: ['a', 'b'] });
    expect(equalityKey({ kind: 'or', items: [eq('status', 'a'), eq('owner', 'u1')] })).toBeUndefined();
  });

  it('has no key for negations, ranges, lists, json values or paths through relations', () => {
    expect(equalityKey({ kind: 'not', item: eq('owner', 'u1') })).toBeUndefined();
    expect(equalityKey({ kind: 'compare', op: '!=', path: field('owner'), value: 'u1' })).toBeUndefined();
    expect(equalityKey(eq('tags', 'x', { multiple: true }))).toBeUndefined();
    expect(equalityKey(eq('meta', 'x', { type: 'json' }))).toBeUndefined();
    const hop = { field: { name: 'author', type: 'relation', collection: 'users' }, target: { name: 'users' } } as unknown as ResolvedPath['hops'][number];
    expect(equalityKey({ kind: 'compare', op: '=', path: { hops: [hop], field: { name: 'name', type: 'text', multiple: false } }, value: 'x' })).toBeUndefined();
  });
});
