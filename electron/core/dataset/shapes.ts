import type { DamageType } from '../domain/damage-types';
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
}

export function boundingBox(points: Point[]): BBox {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

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

function describe(index: number, label: string): string {
  return `shape ${index + 1} ('${label}')`;
}

/**
 * Turns LabelMe shapes into the dataset model: polygons in pixels, clipped to the image (annotators' points a
 * pixel or two outside are common), with a problem for every shape that had to be fixed or dropped.
 * `scale` maps annotation coordinates to real image pixels when the JSON's size disagrees with the image.
 */
export function convertShapes(
  raw: LabelMeShape[],
  size: { width: number; height: number },
  classify: (label: string) => LabelClass,
  file: string,
  scale: { x: number; y: number } = { x: 1, y: 1 },
): ConvertedShapes {
  const shapes: Shape[] = [];
  const problems: Problem[] = [];
  const unknownLabels: string[] = [];
  raw.forEach((shape, index) => {
    const name = describe(index, shape.label);
    const polygon = asPolygon(shape).map(([x, y]) => [x * scale.x, y * scale.y] as Point);
    if (polygon.length < 3) {
      problems.push({
        file,
        severity: 'warning',
        code: 'shape_too_few_points',
        message: `${name} has ${polygon.length} point${polygon.length === 1 ? '' : 's'}; at least 3 are needed (shape dropped)`,
      });
      return;
    }
    const raw = boundingBox(polygon);
    if (raw.width <= 0 || raw.height <= 0) {
      problems.push({ file, severity: 'warning', code: 'shape_degenerate', message: `${name} has no area: its ${polygon.length} points lie on one line (shape dropped)` });
      return;
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
      return;
    }
    const overshoot = Math.max(
      ...polygon.map(([x, y]) => Math.max(-x, -y, x - size.width, y - size.height, 0)),
    );
    if (overshoot > 0) {
      problems.push({
        file,
        severity: 'warning',
        code: 'points_clipped',
        message: `${name} reaches ${round(overshoot)} px outside the ${size.width}×${size.height} image (clipped to the image)`,
      });
    }
    const { damageType, known } = classify(shape.label);
    if (!known && !unknownLabels.includes(shape.label)) unknownLabels.push(shape.label);
    shapes.push({ label: shape.label, damageType, shapeType: shape.shape_type, points: clipped, bbox: box });
  });
  return { shapes, problems, unknownLabels };
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
