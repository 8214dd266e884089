import type { BBox } from '../dataset/model';
import type { PhotoSize } from './parts';

export const ISOLATED = 'isolated defect';
export const CLUSTERED = 'defects clustered together, suggesting single impact event';
export const DISTRIBUTED = 'defects distributed across the panel, suggesting multiple impact points';

/**
 * Several defects count as one impact when no two of them are further apart (edge to edge) than this share of
 * the photo diagonal. 10 %: phase 1 already joins defects whose gap is ≤ 5 % of the diagonal into one crop
 * (single linkage), so a crop of one impact is a compact patch of two such links at most; on a panel-filling
 * photo 10 % of the diagonal is about a hand span, the size of one contact (a bollard, a bumper corner). Wider
 * spreads are the marks of several contacts along the panel.
 */
export const CLUSTER_MAX_GAP_RATIO = 0.1;

/** Edge-to-edge distance between two boxes; 0 when they touch or overlap. */
export function boxGap(a: BBox, b: BBox): number {
  const dx = Math.max(0, Math.max(a.x, b.x) - Math.min(a.x + a.width, b.x + b.width));
  const dy = Math.max(0, Math.max(a.y, b.y) - Math.min(a.y + a.height, b.y + b.height));
  return Math.hypot(dx, dy);
}

/** Null when there is no defect. Judged relative to the photo diagonal, so the photo's resolution does not matter. */
export function spatialPattern(boxes: readonly BBox[], photo: PhotoSize): string | null {
  if (boxes.length === 0) return null;
  if (boxes.length === 1) return ISOLATED;
  let largest = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) largest = Math.max(largest, boxGap(boxes[i]!, boxes[j]!));
  }
  return largest <= CLUSTER_MAX_GAP_RATIO * Math.hypot(photo.width, photo.height) ? CLUSTERED : DISTRIBUTED;
}
