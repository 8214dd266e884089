import { pointInPolygon } from '../crops/polygon-clearance';
import type { Point } from '../dataset/model';
import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';

export interface DamagePolygon {
  points: Point[];
  damageType: DamageType;
}

/** What the annotations say about each cell of a grid laid over a photo. */
export interface CellLabels {
  /** Share of the cell covered by any damage polygon, 0..1 (sampled). */
  coverage: Float32Array;
  /** Index into DAMAGE_TYPES of the type covering most of the cell, −1 where none does. */
  type: Int8Array;
}

/**
 * Rasterises damage polygons onto a cols × rows grid over a width × height photo: each cell is sampled at
 * samples × samples points, so thin scratches still register as a small share instead of vanishing.
 */
export function cellLabels(polygons: readonly DamagePolygon[], width: number, height: number, cols: number, rows: number, samples = 4): CellLabels {
  const cellW = width / cols;
  const cellH = height / rows;
  const hits = new Float32Array(cols * rows * DAMAGE_TYPES.length);
  const any = new Uint16Array(cols * rows);
  for (const polygon of polygons) {
    const xs = polygon.points.map((p) => p[0]);
    const ys = polygon.points.map((p) => p[1]);
    const q0 = Math.max(0, Math.floor(xs.reduce((a, b) => Math.min(a, b)) / cellW));
    const q1 = Math.min(cols - 1, Math.floor(xs.reduce((a, b) => Math.max(a, b)) / cellW));
    const r0 = Math.max(0, Math.floor(ys.reduce((a, b) => Math.min(a, b)) / cellH));
    const r1 = Math.min(rows - 1, Math.floor(ys.reduce((a, b) => Math.max(a, b)) / cellH));
    const t = DAMAGE_TYPES.indexOf(polygon.damageType);
    for (let r = r0; r <= r1; r++) {
      for (let q = q0; q <= q1; q++) {
        let count = 0;
        for (let sy = 0; sy < samples; sy++) {
          for (let sx = 0; sx < samples; sx++) {
            const hit = pointInPolygon([(q + (sx + 0.5) / samples) * cellW, (r + (sy + 0.5) / samples) * cellH], polygon.points);
            if (hit) count++;
          }
        }
        if (count === 0) continue;
        const cell = r * cols + q;
        hits[cell * DAMAGE_TYPES.length + t] = hits[cell * DAMAGE_TYPES.length + t]! + count;
        any[cell] = Math.max(any[cell]!, count);
      }
    }
  }
  const total = samples * samples;
  const coverage = new Float32Array(cols * rows);
  const type = new Int8Array(cols * rows).fill(-1);
  for (let cell = 0; cell < cols * rows; cell++) {
    // Overlapping polygons would double count: the largest single polygon share is a lower bound that never exceeds 1.
    coverage[cell] = any[cell]! / total;
    let best = -1;
    let bestHits = 0;
    for (let k = 0; k < DAMAGE_TYPES.length; k++) {
      if (hits[cell * DAMAGE_TYPES.length + k]! > bestHits) {
        bestHits = hits[cell * DAMAGE_TYPES.length + k]!;
        best = k;
      }
    }
    type[cell] = best;
  }
  return { coverage, type };
}
