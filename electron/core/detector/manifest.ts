import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { readModelManifest } from '../models/manifest-file';
import { NATIVE_MODELS_DIR, requireFile, resolveModelPath } from '../models/paths';

const TensorName = z.object({ name: z.string() });

const DetectorManifestSchema = z.object({
  id: z.string(),
  kind: z.literal('detector'),
  licence: z.string(),
  file: z.string(),
  /** A text file with one class name per line, or the list itself. */
  classes: z.union([z.string(), z.array(z.string())]),
  /** `yolox`: 1×A×(5+C) with objectness, grid/stride decoding. `yolov8`: 1×(4+C)×A, boxes already decoded. */
  format: z.enum(['yolox', 'yolov8']),
  input: z.object({
    name: z.string(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    layout: z.literal('NCHW'),
    channelOrder: z.enum(['RGB', 'BGR']),
    /** Pixel values are multiplied by this (1 for raw 0-255, 1/255 for 0-1). */
    scale: z.number().positive(),
    letterbox: z.enum(['top-left', 'center']),
    padValue: z.number().min(0).max(255),
  }),
  output: TensorName,
  strides: z.array(z.number().int().positive()).optional(),
});

const SegmenterManifestSchema = z.object({
  id: z.string(),
  kind: z.literal('segmenter'),
  licence: z.string(),
  file: z.string(),
  input: z.object({
    name: z.string(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    layout: z.enum(['NHWC', 'NCHW']),
    channelOrder: z.enum(['RGB', 'BGR']),
    scale: z.number().positive(),
    offset: z.number().default(0),
  }),
  output: TensorName,
  /**
   * Output classes that count as "car". VOC: 7 = car only. Bus (6) is left out: on the shared undamaged photos
   * it covers 0.5 % of pixels on average, so it adds almost nothing to the main car, while in street photos it
   * would mark real buses behind the car.
   */
  carClassIndices: z.array(z.number().int().min(0)).min(1),
});

export type DetectorManifest = z.infer<typeof DetectorManifestSchema> & { modelPath: string; classNames: string[] };
export type SegmenterManifest = z.infer<typeof SegmenterManifestSchema> & { modelPath: string };

export const DEFAULT_DETECTOR_MANIFEST = resolve(NATIVE_MODELS_DIR, 'yolox-nano', 'manifest.json');
export const DEFAULT_SEGMENTER_MANIFEST = resolve(NATIVE_MODELS_DIR, 'deeplabv3-mobilenetv2-voc', 'manifest.json');

export async function readDetectorManifest(path: string = DEFAULT_DETECTOR_MANIFEST): Promise<DetectorManifest> {
  const manifest = await readModelManifest(path, DetectorManifestSchema);
  const dir = dirname(path);
  const modelPath = requireFile(resolveModelPath(manifest.file, dir), `detector weights named by ${path}`);
  const classNames = Array.isArray(manifest.classes)
    ? manifest.classes
    : (await readFile(requireFile(resolveModelPath(manifest.classes, dir), `class list named by ${path}`), 'utf8'))
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
  return { ...manifest, modelPath, classNames };
}

export async function readSegmenterManifest(path: string = DEFAULT_SEGMENTER_MANIFEST): Promise<SegmenterManifest> {
  const manifest = await readModelManifest(path, SegmenterManifestSchema);
  const modelPath = requireFile(resolveModelPath(manifest.file, dirname(path)), `segmenter weights named by ${path}`);
  return { ...manifest, modelPath };
}

/**
 * The segmenter is optional: a missing manifest or missing weights mean "no mask" (null), while a manifest that
 * exists but is invalid is still an error, so a typo is not silently read as "not installed".
 */
export async function findSegmenterManifest(path: string = DEFAULT_SEGMENTER_MANIFEST): Promise<SegmenterManifest | null> {
  if (!existsSync(path)) return null;
  const manifest = await readModelManifest(path, SegmenterManifestSchema);
  const modelPath = resolveModelPath(manifest.file, dirname(path));
  return existsSync(modelPath) ? { ...manifest, modelPath } : null;
}
