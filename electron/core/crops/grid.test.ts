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

  it('adapts the window to a box smaller than 448 on a side', () => {
    const windows = gridWindows({ x: 10, y: 20, width: 300, height: 900 }, photo, C);
    expect(new Set(windows.map((w) => w.col))).toEqual(new Set([0]));
    for (const w of windows) expect(w.window).toMatchObject({ x: 10, width: 300, height: 448 });
    expect(windows[0]!.rel_x).toBeCloseTo(0.5);
  });

  it('takes a box up to 25 % longer than 448 in one window instead of two near-duplicates', () => {
    const windows = gridWindows({ x: 0, y: 0, width: 458, height: 560 }, photo, C);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.window).toEqual({ x: 0, y: 0, width: 458, height: 560 });
    expect(gridWindows({ x: 0, y: 0, width: 561, height: 100 }, photo, C)).toHaveLength(2);
  });

  it('is one window when the box is smaller than 448 both ways', () => {
    const windows = gridWindows({ x: 50.4, y: 60.6, width: 200, height: 100 }, photo, C);
    expect(windows).toEqual([{ col: 0, row: 0, window: { x: 50, y: 60, width: 201, height: 101 }, rel_x: 0.5, rel_y: 0.5 }]);
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
