import type { BBox, Point } from '../dataset/model';

/**
 * Exact distances between an annotated polygon and an axis-aligned window, so a clean window can sit in the
 * concave bay of an L-shaped scratch or beside a thin diagonal one, where the polygon's bounding box would
 * rule out most of the photo. The window is taken as the closed rectangle [x, x + width] × [y, y + height]:
 * its last pixel column ends at x + width, so touching counts as touching.
 */

/** Distance from a point to the closed rectangle (0 inside or on it). */
export function pointRectDistance([px, py]: Point, rect: BBox): number {
  const dx = Math.max(rect.x - px, 0, px - (rect.x + rect.width));
  const dy = Math.max(rect.y - py, 0, py - (rect.y + rect.height));
  return Math.hypot(dx, dy);
}

export function pointSegmentDistance([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * Even-odd rule: a self-intersecting annotation (annotators do draw them) counts as covering what its outline
 * encloses an odd number of times. Points exactly on the outline may go either way; callers that need the
 * outline to count (polygonRectDistance) also test the edges.
 */
export function pointInPolygon([px, py]: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether the segment a-b touches the closed rectangle (Liang-Barsky clipping). */
export function segmentTouchesRect([ax, ay]: Point, [bx, by]: Point, rect: BBox): boolean {
  const dx = bx - ax;
  const dy = by - ay;
  let t0 = 0;
  let t1 = 1;
  const edges: [p: number, q: number][] = [
    [-dx, ax - rect.x],
    [dx, rect.x + rect.width - ax],
    [-dy, ay - rect.y],
    [dy, rect.y + rect.height - ay],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false; // parallel to this edge and outside it
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

/** Distance from a segment to the rectangle: 0 when they touch, else it is reached at a corner or an endpoint. */
export function segmentRectDistance(a: Point, b: Point, rect: BBox): number {
  if (segmentTouchesRect(a, b, rect)) return 0;
  const corners: Point[] = [
    [rect.x, rect.y],
    [rect.x + rect.width, rect.y],
    [rect.x + rect.width, rect.y + rect.height],
    [rect.x, rect.y + rect.height],
  ];
  return Math.min(pointRectDistance(a, rect), pointRectDistance(b, rect), ...corners.map((c) => pointSegmentDistance(c, a, b)));
}

/**
 * Distance between the region a polygon encloses and the rectangle: 0 when they overlap (the window holds part
 * of the outline, or lies wholly inside the polygon), else the least distance from the outline to the window.
 * The closing edge (last point to first) is included, so an open polyline is treated as the region it would
 * enclose, which only makes a window further from it.
 */
export function polygonRectDistance(polygon: readonly Point[], rect: BBox): number {
  if (polygon.length === 0) return Infinity;
  if (pointInPolygon([rect.x + rect.width / 2, rect.y + rect.height / 2], polygon)) return 0;
  let distance = Infinity;
  for (let i = 0; i < polygon.length; i++) {
    const d = segmentRectDistance(polygon[i]!, polygon[(i + 1) % polygon.length]!, rect);
    if (d === 0) return 0;
    distance = Math.min(distance, d);
  }
  return distance;
}
