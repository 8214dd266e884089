import { describe, it, expect } from 'vitest';
import type { CarMask } from '../detector/car-locator';
import { DEFAULT_CROP_CONFIG as C } from './config';
import { carRatio, gridWindows, maskBounds } from './grid';

describe('gridWindows', () => {
  const photo = { width: 2000, height: 1500 };
  it('covers the car box edge to edge with 448 windows overlapping at least 25 %', () => {
    const box = { x: 100, y: 200, width: 1500, height: 800 };
    const windows = gridWindows(box, photo, C);
    const cols = Math.max(...windows.map((w) => w.col)) + 1;
    const rows = Math.max(...windows.map((w) => w.row)) + 1;
    expect(cols).toBe(5); // ceil((1500 - 448) / 336) + 1
    expect(rows).toBe(3);
    expect(windows).toHaveLength(cols * rows);
    for (const w of windows) {
      expect(w.window.width).toBe(448);
      expect(w.window.height).toBe(448);
      expect(w.window.x).toBeGreaterThanOrEqual(box.x);
      expect(w.window.x + w.window.width).toBeLessThanOrEqual(box.x + box.width);
      expect(w.rel_x).toBeGreaterThan(0);
      expect(w.rel_x).toBeLessThan(1);
    }
    const row0 = windows.filter((w) => w.row === 0).map((w) => w.window.x);
    expect(row0[0]).toBe(box.x);
    expect(row0.at(-1)! + 448).toBe(box.x + box.width);
    for (let i = 1; i < row0.length; i++) expect(row0[i]! - row0[i - 1]!).toBeLessThanOrEqual(336);
    // Every pixel of the box is in some window.
    for (let x = box.x; x < box.x + box.width; x += 7) {
      expect(windows.some((w) => x >= w.window.x && x < w.window.x + w.window.width)).toBe(true);
    }
  });

  it('uses panel-sized windows (60 % of the shorter side) when the car would fit one window', () => {
    // 300 × 900: the shorter side fits one 448 window, so windows are 180 px: 2 columns, 7 rows, 25 % overlap.
    const windows = gridWindows({ x: 10, y: 20, width: 300, height: 900 }, photo, C);
    expect(new Set(windows.map((w) => w.col))).toEqual(new Set([0, 1]));
    expect(Math.max(...windows.map((w) => w.row)) + 1).toBe(7);
    for (const w of windows) expect([w.window.width, w.window.height]).toEqual([180, 180]);
    expect(windows[0]!.window).toMatchObject({ x: 10, y: 20 });
    expect(windows.at(-1)!.window).toMatchObject({ x: 130, y: 740 });
  });

  it('keeps 448 windows, one per axis up to 25 % longer, once the shorter side exceeds 560', () => {
    const windows = gridWindows({ x: 0, y: 0, width: 561, height: 565 }, photo, C);
    expect(windows.map((w) => w.window)).toEqual([
      { x: 0, y: 0, width: 448, height: 448 },
      { x: 113, y: 0, width: 448, height: 448 },
      { x: 0, y: 117, width: 448, height: 448 },
      { x: 113, y: 117, width: 448, height: 448 },
    ]);
  });

  it('never makes windows under 64 px, and one window for a car that small', () => {
    const small = gridWindows({ x: 0, y: 0, width: 100, height: 80 }, photo, C);
    expect(small.map((w) => [w.window.x, w.window.width, w.window.height])).toEqual([[0, 64, 80], [36, 64, 80]]);
    const tiny = gridWindows({ x: 50.4, y: 60.6, width: 25, height: 20 }, photo, C);
    expect(tiny).toEqual([{ col: 0, row: 0, window: { x: 50, y: 60, width: 26, height: 21 }, rel_x: 0.5, rel_y: 0.5 }]);
  });
});

describe('carRatio', () => {
  it('measures on the box without a mask', () => {
    const car = { box: { x: 0, y: 0, width: 100, height: 100 }, mask: null };
    expect(carRatio({ x: 50, y: 0, width: 100, height: 100 }, car)).toEqual({ ratio: 0.5, method: 'box' });
  });

  it('measures on the mask when there is one', () => {
    // Left 60 % of a 100 × 100 photo is car.
    const data = new Uint8Array(100 * 100);
    for (let y = 0; y < 100; y++) for (let x = 0; x < 60; x++) data[y * 100 + x] = 1;
    const mask: CarMask = { width: 100, height: 100, data };
    const car = { box: { x: 0, y: 0, width: 100, height: 100 }, mask };
    expect(carRatio({ x: 0, y: 0, width: 50, height: 50 }, car)).toEqual({ ratio: 1, method: 'mask' });
    const right = carRatio({ x: 40, y: 0, width: 40, height: 100 }, car);
    expect(right.ratio).toBeCloseTo(0.5);
    expect(right.ratio < C.minCarRatio).toBe(true);
    expect(carRatio({ x: 30, y: 0, width: 40, height: 100 }, car).ratio).toBeCloseTo(0.75);
  });
});

describe('maskBounds', () => {
  it('bounds the car pixels inside the box only', () => {
    const data = new Uint8Array(100 * 100);
    data[20 * 100 + 30] = 1;
    data[60 * 100 + 70] = 1;
    data[5 * 100 + 95] = 1; // another car, outside the box
    const mask: CarMask = { width: 100, height: 100, data };
    expect(maskBounds(mask, { x: 10, y: 10, width: 80, height: 80 })).toEqual({ x: 30, y: 20, width: 41, height: 41 });
    expect(maskBounds(mask, { x: 0, y: 80, width: 10, height: 10 })).toBeNull();
  });
});
