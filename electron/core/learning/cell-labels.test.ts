import { describe, expect, it } from 'vitest';
import { DAMAGE_TYPES } from '../domain/damage-types';
import { cellLabels } from './cell-labels';

describe('cellLabels', () => {
  it('covers exactly the cells under a polygon, partially at its edges, with the type of the polygon', () => {
    // 160 × 160 photo, 10 × 10 cells of 16 px; a square from 32 to 72 px covers cells 2-3 fully and half of cell 4.
    const square = { points: [[32, 32], [72, 32], [72, 72], [32, 72]] as [number, number][], damageType: 'dent' as const };
    const { coverage, type } = cellLabels([square], 160, 160, 10, 10);
    expect(coverage[2 * 10 + 2]).toBe(1);
    expect(coverage[3 * 10 + 3]).toBe(1);
    expect(coverage[2 * 10 + 4]).toBe(0.5);
    expect(coverage[4 * 10 + 4]).toBe(0.25);
    expect(coverage[0]).toBe(0);
    expect(coverage[5 * 10 + 5]).toBe(0);
    expect(type[2 * 10 + 2]).toBe(DAMAGE_TYPES.indexOf('dent'));
    expect(type[0]).toBe(-1);
  });

  it('gives a cell the type that covers most of it', () => {
    const left = { points: [[0, 0], [12, 0], [12, 16], [0, 16]] as [number, number][], damageType: 'surface_scratch' as const };
    const right = { points: [[12, 0], [16, 0], [16, 16], [12, 16]] as [number, number][], damageType: 'crack' as const };
    const { type, coverage } = cellLabels([right, left], 16, 16, 1, 1);
    expect(DAMAGE_TYPES[type[0]!]).toBe('surface_scratch');
    expect(coverage[0]).toBe(0.75);
  });
});
