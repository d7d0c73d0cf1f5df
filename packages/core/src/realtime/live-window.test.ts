import { describe, expect, it } from 'vitest';
import { recordOrder } from '../query/record-order.js';
import type { CausewayRecord } from '../records/record.js';
import { applyToWindow } from './live-window.js';

const rec = (id: string, rank: number | null): CausewayRecord => ({ id, created: '', updated: '', rank });
const byRank = recordOrder([{ field: 'rank', descending: false }, { field: 'id', descending: false }]);
const ids = (window: ReturnType<typeof applyToWindow>) => (window === 'refill' ? 'refill' : window.items.map((r) => r.id));

describe('applyToWindow', () => {
  const full = { items: [rec('a', 1), rec('b', 2), rec('c', 3)], complete: false };

  it('places a matching record by the sort, and a complete window takes one after its last item', () => {
    expect(ids(applyToWindow({ items: full.items, complete: true }, { id: 'd', after: rec('d', 9) }, 5, byRank))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(applyToWindow({ items: full.items, complete: true }, { id: 'd', after: rec('d', 0) }, 5, byRank))).toEqual(['d', 'a', 'b', 'c']);
  });

  it('leaves out a record after the last item of a window that is not complete (others may lie between)', () => {
    expect(applyToWindow(full, { id: 'd', after: rec('d', 9) }, 3, byRank)).toEqual(full);
  });

  it('drops the last item when the window grows past its limit, and is then not complete', () => {
    const next = applyToWindow({ items: full.items, complete: true }, { id: 'd', after: rec('d', 0) }, 3, byRank);
    expect(next).toEqual({ items: [rec('d', 0), rec('a', 1), rec('b', 2)], complete: false });
  });

  it('asks for a refill when a window that is not complete loses a record, or one moves past its end', () => {
    expect(applyToWindow(full, { id: 'b', after: null }, 3, byRank)).toBe('refill');
    expect(applyToWindow(full, { id: 'a', after: rec('a', 7) }, 3, byRank)).toBe('refill');
  });

  it('needs no refill when the record that left a full window comes back inside it, or a complete window loses one', () => {
    expect(ids(applyToWindow(full, { id: 'c', after: rec('c', 0) }, 3, byRank))).toEqual(['c', 'a', 'b']);
    expect(ids(applyToWindow({ items: full.items, complete: true }, { id: 'b', after: null }, 3, byRank))).toEqual(['a', 'c']);
  });
});

describe('recordOrder', () => {
  it('puts null first ascending and last descending, and breaks ties by id in the direction of the key before it', () => {
    const rows = [rec('b', 1), rec('a', null), rec('c', 1), rec('d', 0)];
    expect([...rows].sort(byRank).map((r) => r.id)).toEqual(['a', 'd', 'b', 'c']);
    const descending = recordOrder([{ field: 'rank', descending: true }, { field: 'id', descending: true }]);
    expect([...rows].sort(descending).map((r) => r.id)).toEqual(['c', 'b', 'd', 'a']);
  });

  it('orders text by code point, as both databases do (upper case first, accents and astral characters last)', () => {
    const order = recordOrder([{ field: 'label', descending: false }, { field: 'id', descending: false }]);
    const rows = ['é', 'a', 'B', '😀', '\uE000', ''].map((label, i) => ({ id: String(i), created: '', updated: '', label }));
    expect([...rows].sort(order).map((r) => r.label)).toEqual(['', 'B', 'a', 'é', '\uE000', '😀']);
  });
});
