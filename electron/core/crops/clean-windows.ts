import type { BBox, Photo, Point } from '../dataset/model';
import type { CarLocation } from '../detector/car-locator';
import type { CropConfig } from './config';
import type { CropRecord } from './crop-record';
import { intersectionArea, type Size } from './geometry';
import { carRatio, gridWindows, maskBounds, type CarRatio, type GridWindow } from './grid';
import { polygonRectDistance } from './polygon-clearance';
import { carMaskOf, damageShapes, writeGridCrops, type PhotoContext } from './photo-crops';

export interface CleanWindow extends GridWindow {
  /** Index into config.cleanWindows.windowScales of the grid the window comes from. */
  scale: number;
  car: CarRatio;
  /** Least distance from the window to any damage polygon, in source pixels. */
  clearance: number;
}

/**
 * Two chosen windows may share at most this share of the smaller one's area. Neighbours of one grid overlap by
 * 25-60 % and a smaller-scale window can lie inside a larger one; above half, the two crops would show mostly the
 * same paint, and the cap is better spent on another part of the car.
 */
const MAX_SHARED_AREA = 0.5;

type CleanWindowSettings = Pick<CropConfig, 'cropSize' | 'gridOverlap' | 'gridWindowCarShare' | 'minCarRatio' | 'useMask' | 'cleanWindows'>;

/**
 * Where a clean window may be cut, or null when nothing shows where the car is. The same area as the grid of
 * undamaged photos: the mask's extent inside the locator's box (the detector's main car, or the central region
 * when it found none: damaged photos are often close-ups where the detector sees no whole car while the mask
 * still covers the panel, and the car-share rule on the mask keeps background out). Without a mask and without a
 * detector box a window could be all background and still be called a clean car, so none are cut (undamaged
 * photos fall back to the central region instead, since they must not be lost; clean windows are extra).
 */
export function cleanWindowArea(location: CarLocation, mask: CarLocation['mask']): BBox | null {
  if (mask) return maskBounds(mask, location.box);
  return location.method === 'detector' ? location.box : null;
}

/**
 * Clean windows of a damaged photo: grid windows over the car (the grid of undamaged photos, then finer grids per
 * windowScales), no smaller than minWindowRatio of the photo's shorter side, at least minCarRatio car, and whose
 * distance to EVERY damage polygon (the polygon itself, see polygonRectDistance) is at least clearanceRatio × the
 * photo diagonal. At most maxPerPhoto are kept, chosen deterministically: earlier scales first (larger windows show
 * more panel around, like a defect crop with its margin), within a scale the farthest from the damage first, ties
 * by row then column; a window sharing more than half of the smaller one's area with one already chosen is skipped.
 * A photo without damage polygons gets none: a damaged photo whose damage is not outlined has no area known to be
 * clean.
 */
export function chooseCleanWindows(
  photo: Size & { imagePath?: string },
  damage: readonly (readonly Point[])[],
  location: CarLocation,
  config: CleanWindowSettings,
): CleanWindow[] {
  // Checked first: a mask of another size than the photo is refused whatever the settings.
  const mask = carMaskOf(photo, location, config);
  const { enabled, maxPerPhoto, clearanceRatio, windowScales, minWindowRatio } = config.cleanWindows;
  if (!enabled || maxPerPhoto === 0 || damage.length === 0) return [];
  const area = cleanWindowArea(location, mask);
  if (!area) return [];
  const minimum = clearanceRatio * Math.hypot(photo.width, photo.height);
  const minSide = minWindowRatio * Math.min(photo.width, photo.height);
  const candidates = windowScales.flatMap((share, scale) =>
    gridWindows(area, photo, { ...config, cropSize: Math.max(1, Math.round(config.cropSize * share)) }).flatMap((w): CleanWindow[] => {
      if (Math.min(w.window.width, w.window.height) < minSide) return [];
      const clearance = damage.reduce((least, polygon) => Math.min(least, polygonRectDistance(polygon, w.window)), Infinity);
      if (clearance < minimum) return [];
      const car = carRatio(w.window, { box: location.box, mask });
      return car.ratio >= config.minCarRatio ? [{ ...w, scale, car, clearance }] : [];
    }),
  );
  candidates.sort((a, b) => a.scale - b.scale || b.clearance - a.clearance || a.row - b.row || a.col - b.col);
  const chosen: CleanWindow[] = [];
  for (const candidate of candidates) {
    if (chosen.length >= maxPerPhoto) break;
    const area = (w: CleanWindow) => w.window.width * w.window.height;
    const shared = (c: CleanWindow) => intersectionArea(c.window, candidate.window) / Math.min(area(c), area(candidate));
    if (chosen.some((c) => shared(c) > MAX_SHARED_AREA)) continue;
    chosen.push(candidate);
  }
  return chosen;
}

/** Writes the clean windows of a damaged photo as grid crops without damage; none when there is no room. */
export async function cropCleanWindows(
  photo: Photo,
  location: CarLocation,
  context: PhotoContext,
): Promise<CropRecord[]> {
  const { config } = context;
  const windows = chooseCleanWindows(photo, damageShapes(photo).map((s) => s.points), location, config);
  if (windows.length === 0) return [];
  return writeGridCrops(photo, windows, location, 'damaged_photo_clean_window', context);
}
