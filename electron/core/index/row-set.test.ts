import { describe, expect, it } from 'vitest';
import { RowSet } from './row-set';

describe('RowSet', () => {
  it('holds exactly the rows it was given, in the IDSelectorBitmap layout', () => {
    const set = RowSet.of([0, 3, 8, 12], 13);
    expect(Array.from(set.bits)).toEqual([0b1001, 0b10001]);
    expect(set.size).toBe(4);
    expect(Array.from(set.rows())).toEqual([0, 3, 8, 12]);
    expect([0, 1, 3, 12, 13, -1].map((r) => set.has(r))).toEqual([true, false, true, true, false, false]);
  });

  it('agrees with a plain set for where, and and all', () => {
    const total = 1_003;
    const a = RowSet.where(total, (r) => r % 3 === 0);
    const b = RowSet.where(total, (r) => r % 5 === 0);
    const both = a.and(b);
    const expected = Array.from({ length: total }, (_, r) => r).filter((r) => r % 15 === 0);
    expect(Array.from(both.rows())).toEqual(expected);
    expect(both.size).toBe(expected.length);
    expect(RowSet.all(total).size).toBe(total);
    expect(RowSet.all(total).has(total - 1)).toBe(true);
    expect(RowSet.all(total).bits.at(-1)).toBe(0b111);
    expect(RowSet.none(total).size).toBe(0);
  });

  it('refuses rows outside the index and bitmaps of the wrong length', () => {
    expect(() => RowSet.of([10], 10)).toThrow('row 10 is outside 0..9');
    expect(() => RowSet.fromBits(new Uint8Array(3), 10)).toThrow('has 2 bytes, got 3');
    expect(() => RowSet.all(8).and(RowSet.all(9))).toThrow('do not combine');
  });
});
