import type { DamageType } from '../domain/damage-types';
import type { ToPhoto } from './annotation-frame';
import type { LabelMeShape } from './labelme';
import type { BBox, Point, Problem, Shape } from './model';

export interface LabelClass {
  damageType: DamageType | null;
  /** False when the label is neither a damage type nor a known non-damage label. */
  known: boolean;
}

export interface ConvertedShapes {
  shapes: Shape[];
  problems: Problem[];
  unknownLabels: string[];
  /**
   * A shape labelled as damage was dropped (no area, outside the image): the annotator saw damage on the photo, so
   * it must not pass as undamaged, and the shape's own problem already says it yields no crop.
   */
  droppedDamage: boolean;
}

/** A loop, not Math.min(...xs): spreading a polygon of ~125k points into arguments overflows the call stack. */
export function boundingBox(points: readonly Point[]): BBox {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [px, py] of points) {
    if (px < minX) minX = px;
    if (px > maxX) maxX = px;
    if (py < minY) minY = py;
    if (py > maxY) maxY = py;
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** LabelMe shape types that mark a spot or a stroke, never an area. */
const NOT_AN_AREA = new Set(['point', 'points', 'line', 'linestrip']);

/** LabelMe stores a rectangle as two corners and a circle as centre + rim point; phases want polygons. */
function asPolygon(shape: LabelMeShape): Point[] {
  const points = shape.points as Point[];
  if (shape.shape_type === 'rectangle' && points.length === 2) {
    const [[x1, y1], [x2, y2]] = points as [Point, Point];
    return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
  }
  if (shape.shape_type === 'circle' && points.length === 2) {
    const [[cx, cy], [px, py]] = points as [Point, Point];
    const r = Math.hypot(px - cx, py - cy);
    return Array.from({ length: 16 }, (_, i) => {
      const a = (i / 16) * 2 * Math.PI;
      return [cx + r * Math.cos(a), cy + r * Math.sin(a)] as Point;
    });
  }
  return points;
}

/** How a problem names a shape: its place in a LabelMe file's list. */
function describe(index: number, label: string): string {
  return `shape ${index + 1} ('${label}')`;
}

/**
 * Turns LabelMe shapes into the dataset model: polygons in pixels, clipped to the image (annotators' points a
 * pixel or two outside are common), with a problem for every shape that had to be fixed or dropped.
 * `toPhoto` maps annotation coordinates to the upright photo's pixels (resized copies, EXIF-stored frames);
 * `nameShape` says how problems name a shape (a COCO file names its annotations by id).
 */
export function convertShapes(
  raw: LabelMeShape[],
  size: { width: number; height: number },
  classify: (label: string) => LabelClass,
  file: string,
  toPhoto: ToPhoto = (point) => point,
  nameShape: (index: number, label: string) => string = describe,
): ConvertedShapes {
  const shapes: Shape[] = [];
  const problems: Problem[] = [];
  const unknownLabels: string[] = [];
  let droppedDamage = false;
  raw.forEach((shape, index) => {
    const name = nameShape(index, shape.label);
    const { damageType, known } = classify(shape.label);
    const kept = convertOne(shape, name, damageType, size, file, toPhoto, problems);
    if (!kept) {
      droppedDamage ||= damageType !== null;
      return;
    }
    if (!known && !unknownLabels.includes(shape.label)) unknownLabels.push(shape.label);
    shapes.push({ label: shape.label, damageType, shapeType: shape.shape_type, ...kept });
  });
  return { shapes, problems, unknownLabels, droppedDamage };
}

/** One shape as a clipped polygon, or null when it is dropped (with its one problem pushed). */
function convertOne(
  shape: LabelMeShape,
  name: string,
  damageType: DamageType | null,
  size: { width: number; height: number },
  file: string,
  toPhoto: ToPhoto,
  problems: Problem[],
): Pick<Shape, 'points' | 'bbox'> | null {
  // A point or a stroke marks where damage is but not its extent: no crop can be sized from it. Reported as such,
  // not as "too few points", so the annotator knows to outline it.
  if (damageType !== null && NOT_AN_AREA.has(shape.shape_type)) {
    problems.push({
      file,
      severity: 'warning',
      code: 'damage_not_area',
      message: `${name} is a ${shape.shape_type}, not an area: damage must be outlined (polygon, rectangle or circle) to be cropped (shape dropped; the photo still counts as damaged)`,
    });
    return null;
  }
  const polygon = asPolygon(shape).map(toPhoto);
  if (polygon.length < 3) {
    problems.push({
      file,
      severity: 'warning',
      code: 'shape_too_few_points',
      message: `${name} has ${polygon.length} point${polygon.length === 1 ? '' : 's'}; at least 3 are needed (shape dropped)`,
    });
    return null;
  }
  const extent = boundingBox(polygon);
  if (extent.width <= 0 || extent.height <= 0) {
    problems.push({ file, severity: 'warning', code: 'shape_degenerate', message: `${name} has no area: its ${polygon.length} points lie on one line (shape dropped)` });
    return null;
  }
  const clipped = polygon.map(([x, y]) => [clamp(x, 0, size.width), clamp(y, 0, size.height)] as Point);
  const box = boundingBox(clipped);
  if (box.width <= 0 || box.height <= 0) {
    problems.push({
      file,
      severity: 'warning',
      code: 'shape_outside_image',
      message: `${name} lies outside the ${size.width}×${size.height} image (shape dropped)`,
    });
    return null;
  }
  const overshoot = Math.max(-extent.x, -extent.y, extent.x + extent.width - size.width, extent.y + extent.height - size.height, 0);
  if (overshoot > 0) {
    problems.push({
      file,
      severity: 'warning',
      code: 'points_clipped',
      message: `${name} reaches ${round(overshoot)} px outside the ${size.width}×${size.height} image (clipped to the image)`,
    });
  }
  return { points: clipped, bbox: box };
}

/** Why a damaged photo yields no damage crop, in words: no shapes at all, or only labels that are not damage. */
export function noDamageMessage(shapes: readonly Shape[], damageLabels: string): string {
  if (shapes.length === 0) return 'damaged photo has no shapes at all; it yields no damage crop';
  const labels = [...new Set(shapes.map((s) => s.label))].map((l) => `'${l}'`).join(', ');
  const count = `${shapes.length} shape${shapes.length === 1 ? '' : 's'}`;
  return `damaged photo has ${count} but none is a damage type (${damageLabels}); labels: ${labels}; it yields no damage crop`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
