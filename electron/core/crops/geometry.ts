import type { BBox } from '../dataset/model';
import type { CropConfig } from './config';

export interface Size {
  width: number;
  height: number;
}

export function unionBox(boxes: readonly BBox[]): BBox {
  if (boxes.length === 0) throw new Error('unionBox: no boxes');
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Euclidean distance between the closest points of two boxes (0 when they touch or overlap). */
export function boxGap(a: BBox, b: BBox): number {
  const dx = Math.max(0, a.x - (b.x + b.width), b.x - (a.x + a.width));
  const dy = Math.max(0, a.y - (b.y + b.height), b.y - (a.y + a.height));
  return Math.hypot(dx, dy);
}

export function intersectionArea(a: BBox, b: BBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function containsBox(outer: BBox, inner: BBox, tolerance = 0): boolean {
  return (
    inner.x >= outer.x - tolerance &&
    inner.y >= outer.y - tolerance &&
    inner.x + inner.width <= outer.x + outer.width + tolerance &&
    inner.y + inner.height <= outer.y + outer.height + tolerance
  );
}

type ClusterConfig = Pick<CropConfig, 'clusterGapRatio' | 'maxClusterSideRatio'>;

/**
 * Groups defects into clusters, one crop each. Single linkage: two defects are linked when the gap between
 * their boxes is ≤ clusterGapRatio × photo diagonal, and a cluster is a connected group. A cluster whose union
 * is larger than the budget (maxClusterSideRatio × the photo's longer side) is bisected until each part fits
 * or is a single defect. Clusters come in annotation order (by their first defect), so crop ids are stable.
 */
export function clusterDefects<T extends { bbox: BBox }>(items: readonly T[], photo: Size, config: ClusterConfig): T[][] {
  const maxGap = config.clusterGapRatio * Math.hypot(photo.width, photo.height);
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    parent[i] = root;
    return root;
  };
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (boxGap(items[i]!.bbox, items[j]!.bbox) <= maxGap) {
        const [a, b] = [find(i), find(j)];
        // The smaller index stays the root so a cluster is ordered by its first defect.
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  const maxSide = config.maxClusterSideRatio * Math.max(photo.width, photo.height);
  return [...groups.values()]
    .flatMap((indices) => splitOverBudget(indices, items, maxSide))
    .sort((a, b) => a[0]! - b[0]!)
    .map((indices) => indices.map((i) => items[i]!));
}

function splitOverBudget(indices: number[], items: readonly { bbox: BBox }[], maxSide: number): number[][] {
  const union = unionBox(indices.map((i) => items[i]!.bbox));
  if (indices.length < 2 || Math.max(union.width, union.height) <= maxSide) return [indices];
  // Cut across the union's longer axis, at the widest gap between consecutive defect centres: the two
  // halves are the most separated groups, so each keeps its nearby defects together.
  const horizontal = union.width >= union.height;
  const centre = (i: number): number => {
    const b = items[i]!.bbox;
    return horizontal ? b.x + b.width / 2 : b.y + b.height / 2;
  };
  const sorted = [...indices].sort((a, b) => centre(a) - centre(b) || a - b);
  let cut = 1;
  let widest = -Infinity;
  for (let k = 1; k < sorted.length; k++) {
    const gap = centre(sorted[k]!) - centre(sorted[k - 1]!);
    if (gap > widest) {
      widest = gap;
      cut = k;
    }
  }
  const byIndex = (a: number, b: number): number => a - b;
  return [
    ...splitOverBudget(sorted.slice(0, cut).sort(byIndex), items, maxSide),
    ...splitOverBudget(sorted.slice(cut).sort(byIndex), items, maxSide),
  ];
}

type MarginConfig = Pick<CropConfig, 'marginRatio' | 'minMarginRatio'>;

/**
 * The photo region a cluster's crop shows: the union of its boxes plus a context margin on each side
 * (marginRatio × the union's longer side, at least minMarginRatio × the photo diagonal), made square-ish by
 * growing the shorter side, then shifted (not padded) to lie inside the photo. Integer pixels; it only holds
 * real pixels, so near an edge the crop takes its context from the other side, or is smaller.
 */
export function cropRegionForCluster(boxes: readonly BBox[], photo: Size, config: MarginConfig): BBox {
  const union = unionBox(boxes);
  const margin = Math.max(
    config.marginRatio * Math.max(union.width, union.height),
    config.minMarginRatio * Math.hypot(photo.width, photo.height),
  );
  const side = Math.max(union.width, union.height) + 2 * margin;
  const [x, width] = fitAxis(union.x, union.x + union.width, side, photo.width);
  const [y, height] = fitAxis(union.y, union.y + union.height, side, photo.height);
  return { x, y, width, height };
}

/**
 * An integer range of the wanted length (capped at the photo) centred on [lo, hi], shifted into [0, limit].
 * It always contains [lo, hi]; both axes get the same integer length unless the photo caps one, so the
 * region is exactly square whenever the photo allows it.
 */
function fitAxis(lo: number, hi: number, length: number, limit: number): [start: number, length: number] {
  const a = Math.max(0, Math.floor(lo));
  const b = Math.min(limit, Math.max(a + 1, Math.ceil(hi)));
  const len = Math.min(limit, Math.max(Math.ceil(length), b - a));
  const start = Math.min(Math.max(a - Math.floor((len - (b - a)) / 2), 0), limit - len);
  return [start, len];
}
