import { describe, it, expect } from 'vitest';
import type { BBox } from '../dataset/model';
import { DEFAULT_CROP_CONFIG as C, resolveCropConfig } from './config';
import { clusterDefects, containsBox, cropRegionForCluster, unionBox } from './geometry';

const d = (x: number, y: number, width: number, height: number) => ({ bbox: { x, y, width, height } });
const scale = (item: { bbox: BBox }, k: number) => d(item.bbox.x * k, item.bbox.y * k, item.bbox.width * k, item.bbox.height * k);
const ids = <T>(clusters: T[][], items: T[]) => clusters.map((c) => c.map((i) => items.indexOf(i)));

describe('clusterDefects', () => {
  const photo = { width: 1000, height: 800 }; // diagonal ≈ 1281 → link gap ≈ 64 px
  it('merges near defects and keeps far ones apart', () => {
    const items = [d(100, 100, 50, 40), d(180, 110, 30, 30), d(700, 600, 40, 40)];
    expect(ids(clusterDefects(items, photo, C), items)).toEqual([[0, 1], [2]]);
  });

  it('links transitively (single linkage) and orders clusters by their first defect', () => {
    const items = [d(800, 100, 20, 20), d(100, 100, 20, 20), d(160, 100, 20, 20), d(220, 100, 20, 20)];
    expect(ids(clusterDefects(items, photo, C), items)).toEqual([[0], [1, 2, 3]]);
  });

  it('is relative to the photo size: the same layout scaled ×2 clusters the same', () => {
    const items = [d(100, 100, 50, 40), d(200, 110, 30, 30), d(330, 120, 20, 20), d(700, 600, 40, 40)];
    const big = items.map((i) => scale(i, 2));
    const small = ids(clusterDefects(items, photo, C), items);
    expect(ids(clusterDefects(big, { width: 2000, height: 1600 }, C), big)).toEqual(small);
    // A gap of 100 px is "near" in a 2000 px photo but not in a 1000 px one.
    expect(small).toEqual([[0, 1], [2], [3]]);
    const pair = [d(100, 100, 20, 20), d(220, 100, 20, 20)];
    expect(clusterDefects(pair, { width: 1000, height: 800 }, C)).toHaveLength(2);
    expect(clusterDefects(pair, { width: 2000, height: 1600 }, C)).toHaveLength(1);
  });

  it('splits a chain whose union exceeds the budget, each part within it', () => {
    // Ten defects 60 px apart along the whole width: one chain by linkage, 930 px wide > 50 % of 1000.
    const items = Array.from({ length: 10 }, (_, i) => d(20 + i * 100, 400, 30, 30));
    const clusters = clusterDefects(items, photo, C);
    expect(clusters.length).toBeGreaterThan(1);
    expect(clusters.flat()).toHaveLength(items.length);
    for (const cluster of clusters) {
      const u = unionBox(cluster.map((c) => c.bbox));
      expect(Math.max(u.width, u.height)).toBeLessThanOrEqual(C.maxClusterSideRatio * 1000);
    }
  });

  it('keeps one defect larger than the budget as its own cluster', () => {
    const items = [d(0, 0, 900, 700), d(950, 750, 10, 10)];
    expect(ids(clusterDefects(items, photo, C), items)).toEqual([[0], [1]]);
  });
});

describe('cropRegionForCluster', () => {
  const photo = { width: 1000, height: 800 };
  it('adds a margin around the union and makes the region square-ish', () => {
    const r = cropRegionForCluster([{ x: 400, y: 350, width: 200, height: 100 }], photo, C);
    // 20 % of the long side = 40 px each side → 280 × 280 around the centre (500, 400).
    expect(r).toEqual({ x: 360, y: 260, width: 280, height: 280 });
  });

  it('gives a tiny defect a minimum context', () => {
    const r = cropRegionForCluster([{ x: 500, y: 400, width: 4, height: 4 }], photo, C);
    const minMargin = C.minMarginRatio * Math.hypot(1000, 800);
    expect(r.width).toBeGreaterThanOrEqual(Math.floor(4 + 2 * minMargin));
    expect(r.height).toBe(r.width);
  });

  it('shifts a region at the edge into the photo instead of padding, keeping the defect', () => {
    const box = { x: 0, y: 780, width: 60, height: 20 };
    const r = cropRegionForCluster([box], photo, C);
    expect(r.x).toBe(0);
    expect(r.y + r.height).toBe(800);
    expect(containsBox(r, box)).toBe(true);
    expect(r.width).toBe(r.height);
  });

  it('never leaves the photo, whatever the boxes', () => {
    const config = resolveCropConfig({ marginRatio: 0.25 });
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 500; n++) {
      const size = { width: 50 + Math.floor(rand() * 3000), height: 50 + Math.floor(rand() * 3000) };
      const w = 1 + rand() * size.width * 0.9;
      const h = 1 + rand() * size.height * 0.9;
      const box = { x: rand() * (size.width - w), y: rand() * (size.height - h), width: w, height: h };
      const r = cropRegionForCluster([box], size, config);
      expect(Number.isInteger(r.x) && Number.isInteger(r.width)).toBe(true);
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.y).toBeGreaterThanOrEqual(0);
      expect(r.x + r.width).toBeLessThanOrEqual(size.width);
      expect(r.y + r.height).toBeLessThanOrEqual(size.height);
      expect(containsBox(r, box, 1e-9)).toBe(true);
    }
  });

  it('covers the whole photo at most when the union is the whole photo', () => {
    expect(cropRegionForCluster([{ x: 0, y: 0, width: 1000, height: 800 }], photo, C)).toEqual({ x: 0, y: 0, width: 1000, height: 800 });
  });
});

describe('resolveCropConfig', () => {
  it('rejects a JPEG quality below 92 with a message naming the field', () => {
    expect(() => resolveCropConfig({ jpegQuality: 80 })).toThrow(/jpegQuality/);
  });
});
