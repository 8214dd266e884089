/**
 * The one in-memory model of a dataset that every phase uses, whatever the source format
 * (the seed naming convention, a plain LabelMe folder with a label map, or a COCO annotation file with its images).
 */
import type { DamageType } from '../domain/damage-types';
import type { ZoneId } from '../domain/zones';

export type PhotoState = 'damaged' | 'undamaged';
export type Point = [x: number, y: number];

/** Axis-aligned box in source-photo pixels: x, y is the top-left corner. */
export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Shape {
  /** The label as the annotation file spells it. */
  label: string;
  /** Canonical damage type, or null when the label is not a damage type (car parts, label "9", …). */
  damageType: DamageType | null;
  shapeType: string;
  /** Polygon in pixels, clipped to the image; rectangles are expanded to their four corners. */
  points: Point[];
  bbox: BBox;
}

export interface Photo {
  /** Stable id, unique in the dataset: the image file name without extension. */
  id: string;
  /** Absolute path of the image. */
  imagePath: string;
  /** File name relative to the dataset root. */
  fileName: string;
  state: PhotoState;
  zone: ZoneId | null;
  /** Seed convention only: the timestamp part of the name. */
  timestamp: string | null;
  width: number;
  height: number;
  /** All shapes, damage and non-damage. */
  shapes: Shape[];
  /**
   * Annotation files of this photo's own that it was read from (absolute paths). A COCO file, shared by all photos,
   * is not listed: its shapes stand for it (crops hash them), and problems naming it are not this photo's.
   */
  annotationFiles: string[];
}

export type DatasetFormat = 'seed' | 'labelme' | 'coco';

/** `error`: the photo (or file) was skipped. `warning`: the photo is kept, something was fixed or is odd. */
export type ProblemSeverity = 'error' | 'warning';

export interface Problem {
  /** Path relative to the dataset root. */
  file: string;
  severity: ProblemSeverity;
  code: ProblemCode;
  message: string;
}

export const PROBLEM_CODES = [
  'empty_file',
  'unreadable_image',
  'truncated_image',
  'not_an_image',
  'image_too_large',
  'malformed_json',
  'invalid_labelme',
  'image_missing',
  'annotation_missing',
  'segmentation_missing',
  'size_mismatch',
  'bad_name',
  'points_clipped',
  'shape_too_few_points',
  'shape_outside_image',
  'unknown_label',
  'no_damage_shapes',
  'bad_zone_table',
  'unexpected_segmentation',
  'duplicate_photo',
  'shape_degenerate',
  'unreadable_file',
  'corrupt_image',
  'unsupported_format',
  'damage_not_area',
  'exif_orientation',
  'invalid_coco',
  'unknown_image_id',
  'unknown_category_id',
  'crowd_annotation',
  'rle_segmentation',
  'image_not_listed',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Dataset {
  /** Absolute path of the dataset folder. */
  root: string;
  format: DatasetFormat;
  photos: Photo[];
  problems: Problem[];
}
