import type { BBox } from '../dataset/model';
import type { CarMask } from '../detector/car-locator';
import type { CropConfig } from './config';
import { intersectionArea, type Size } from './geometry';

export interface GridWindow {
  col: number;
  row: number;
  /** Integer pixels of the source photo. */
  window: BBox;
  /** Window centre relative to the car box (0..1). */
  rel_x: number;
  rel_y: number;
}

/**
 * Grid windows over the car box: cropSize windows, gridOverlap between neighbours, spread evenly so the
 * first touches the box's left/top edge and the last its right/bottom edge (the real overlap is then at least
 * gridOverlap). Along an axis where the box is shorter than cropSize the window takes the box's length: a
 * larger window would reach past the car into background and fail the car-share rule, and padding is not
 * allowed; the crop is then simply smaller than cropSize on that side. Slightly longer boxes get one window
 * too (see axisWindows).
 */
export function gridWindows(
  box: BBox,
  photo: Size,
  config: Pick<CropConfig, 'cropSize' | 'gridOverlap' | 'gridWindowCarShare'>,
): GridWindow[] {
  // Work on the integer box inside the photo, so every window is a valid extract region.
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(photo.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(photo.height, Math.ceil(box.y + box.height));
  if (x1 - x0 < 1 || y1 - y0 < 1) return [];
  const shorter = Math.min(x1 - x0, y1 - y0);
  // Below 64 px a window shows too little of a panel to be worth a crop, unless the car itself is that small.
  const minimum = Math.min(shorter, 64);
  const side =
    shorter <= config.cropSize * (1 + config.gridOverlap)
      ? Math.max(minimum, Math.round(shorter * config.gridWindowCarShare))
      : config.cropSize;
  const xs = axisWindows(x0, x1 - x0, side, config.gridOverlap);
  const ys = axisWindows(y0, y1 - y0, side, config.gridOverlap);
  const windows: GridWindow[] = [];
  ys.forEach(([y, height], row) => {
    xs.forEach(([x, width], col) => {
      windows.push({
        col,
        row,
        window: { x, y, width, height },
        rel_x: (x + width / 2 - x0) / (x1 - x0),
        rel_y: (y + height / 2 - y0) / (y1 - y0),
      });
    });
  });
  return windows;
}

function axisWindows(start: number, length: number, win: number, overlap: number): [number, number][] {
  // Up to (1 + overlap) × win, one window takes the whole length (downscaled to cropSize when written):
  // two windows there would overlap by more than 75 % and give near-duplicate crops, while the downscale is
  // at most 1 / (1 + overlap), which keeps the detail.
  if (length <= win * (1 + overlap)) return [[start, length]];
  const stride = win * (1 - overlap);
  const count = Math.ceil((length - win) / stride) + 1;
  const step = (length - win) / (count - 1);
  return Array.from({ length: count }, (_, i) => [start + Math.round(i * step), win]);
}

export interface CarRatio {
  ratio: number;
  method: 'mask' | 'box';
}

/**
 * Share of a window that is car: the share of its pixels set in the mask when there is one (the mask follows
 * the body, so windows over glass corners or background inside the box are caught), else the share of the
 * window inside the car box.
 */
export function carRatio(window: BBox, car: { box: BBox; mask: CarMask | null }): CarRatio {
  const area = window.width * window.height;
  if (area <= 0) return { ratio: 0, method: car.mask ? 'mask' : 'box' };
  if (!car.mask) return { ratio: intersectionArea(window, car.box) / area, method: 'box' };
  const { width, height, data } = car.mask;
  const x0 = Math.max(0, Math.floor(window.x));
  const y0 = Math.max(0, Math.floor(window.y));
  const x1 = Math.min(width, Math.ceil(window.x + window.width));
  const y1 = Math.min(height, Math.ceil(window.y + window.height));
  let count = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) if (data[row + x]) count++;
  }
  return { ratio: count / area, method: 'mask' };
}

/**
 * Bounding box of the mask's car pixels inside `within` (the detector box), or null when there are none.
 * The detector box carries a deliberate 10-15 % margin of background; on a photo where the car is smaller
 * than two windows, a window spanning that whole box can never be 70 % car, so with a mask the grid covers
 * the car's own extent instead.
 */
export function maskBounds(mask: CarMask, within: BBox): BBox | null {
  const x0 = Math.max(0, Math.floor(within.x));
  const y0 = Math.max(0, Math.floor(within.y));
  const x1 = Math.min(mask.width, Math.ceil(within.x + within.width));
  const y1 = Math.min(mask.height, Math.ceil(within.y + within.height));
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  for (let y = y0; y < y1; y++) {
    const row = y * mask.width;
    for (let x = x0; x < x1; x++) {
      if (!mask.data[row + x]) continue;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}
