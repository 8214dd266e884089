import { describe, expect, it } from 'vitest';
import { MAX_WINDOW_SIDE, scoringWindows, WINDOW_SHARE } from './windows';

describe('scoringWindows', () => {
  it('cuts one grid of equal squares that stay inside the photo and cover the car', () => {
    const photo = { width: 1024, height: 768 };
    const car = { x: 100, y: 150, width: 700, height: 500 };
    const windows = scoringWindows(photo, car);
    const side = Math.round(Math.min(MAX_WINDOW_SIDE, WINDOW_SHARE * 768));
    expect(new Set(windows.map((w) => `${w.width}x${w.height}`))).toEqual(new Set([`${side}x${side}`]));
    for (const w of windows) {
      expect(w.x).toBeGreaterThanOrEqual(0);
      expect(w.y).toBeGreaterThanOrEqual(0);
      expect(w.x + w.width).toBeLessThanOrEqual(photo.width);
      expect(w.y + w.height).toBeLessThanOrEqual(photo.height);
    }
    // Every corner of the car lies in some window.
    for (const [x, y] of [[car.x, car.y], [car.x + car.width - 1, car.y + car.height - 1], [car.x, car.y + car.height - 1]]) {
      expect(windows.some((w) => x! >= w.x && x! < w.x + w.width && y! >= w.y && y! < w.y + w.height)).toBe(true);
    }
  });

  it('covers the whole photo without a car box, and caps the side at 448 px', () => {
    const windows = scoringWindows({ width: 4000, height: 3000 }, null);
    expect(windows[0]!.width).toBe(MAX_WINDOW_SIDE);
    expect(Math.max(...windows.map((w) => w.x + w.width))).toBe(4000);
    expect(Math.max(...windows.map((w) => w.y + w.height))).toBe(3000);
  });

  it('gives one window when the car is smaller than a window', () => {
    expect(scoringWindows({ width: 640, height: 640 }, { x: 300, y: 300, width: 50, height: 50 })).toHaveLength(1);
  });
});
