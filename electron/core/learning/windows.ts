import type { BBox } from '../dataset/model';

/** Longest window side, as phase 1's grid crops (the scale the index holds). */
export const MAX_WINDOW_SIDE = 448;
/** Window side as a share of the photo's shorter side: small enough to say where on a close-up the damage is. */
export const WINDOW_SHARE = 0.375;

function starts(from: number, length: number, side: number, stride: number, limit: number): number[] {
  const begin = Math.max(0, Math.min(from, limit - side));
  const end = Math.min(limit, Math.max(from + length, begin + side));
  const list: number[] = [];
  for (let at = begin; at + side <= end; at += stride) list.push(Math.round(at));
  if (list.length === 0 || list[list.length - 1]! + side < end) list.push(Math.round(end - side));
  return list;
}

/**
 * One grid of square windows, all the same size, over the car (or the whole photo when no car box is given): side
 * min(448, 0.375 × the photo's shorter side), half-window stride, the last row and column flush with the region's
 * edge. Damaged and clean windows of a photo come from the same grid, so window size never gives the answer away.
 */
export function scoringWindows(photo: { width: number; height: number }, car: BBox | null): BBox[] {
  const side = Math.round(Math.min(MAX_WINDOW_SIDE, WINDOW_SHARE * Math.min(photo.width, photo.height)));
  const stride = Math.max(1, Math.round(side / 2));
  const region = car ?? { x: 0, y: 0, width: photo.width, height: photo.height };
  const windows: BBox[] = [];
  for (const y of starts(region.y, region.height, side, stride, photo.height)) {
    for (const x of starts(region.x, region.width, side, stride, photo.width)) windows.push({ x, y, width: side, height: side });
  }
  return windows;
}
