import { existsSync } from 'node:fs';
import sharp from 'sharp';
import type { BBox } from '../dataset/model';
import type { CarLocation, CarLocator } from './car-locator';
import { Detector, type Detection } from './detector';
import { area, expandAndClamp } from './geometry';
import { DEFAULT_SEGMENTER_MANIFEST } from './manifest';
import { CarSegmenter } from './segmenter';

export { Detector, type Detection } from './detector';
export { CarSegmenter, maskShare } from './segmenter';
export { decodeYolov8, decodeYolox, nms } from './decode';
export { letterbox, toModel, toSource } from './geometry';
export type { CarLocation, CarLocator, CarMask } from './car-locator';

export interface CarLocatorOptions {
  detectorManifest?: string;
  segmenterManifest?: string;
  /** Compute a per-pixel car mask when the segmenter's weights are present (default true). */
  mask?: boolean;
  /**
   * COCO classes that count as the car. Default car + truck: COCO labels pickups and many SUVs "truck"
   * (on the shared undamaged photos, car alone is found on 89 %, car or truck on 96 %). Buses can be added.
   */
  classes?: string[];
  scoreThreshold?: number;
  nmsIou?: number;
  /** Share of the box added on each side (the design asks for 10-15 %). */
  margin?: number;
  /** Share of each side kept when no car is found: the central region. */
  fallbackShare?: number;
}

/**
 * Picks the main car of a photo: the LARGEST box of an accepted class, not the most confident one, since in an
 * inspection photo the subject fills the frame while confident background cars are small.
 */
export function pickMainCar(detections: Detection[], classes: string[]): Detection | null {
  const candidates = detections.filter((d) => classes.includes(d.className));
  if (candidates.length === 0) return null;
  return candidates.reduce((best, d) => (area(d.box) > area(best.box) ? d : best));
}

export function centralRegion(size: { width: number; height: number }, share: number): BBox {
  const width = Math.round(size.width * share);
  const height = Math.round(size.height * share);
  return { x: Math.floor((size.width - width) / 2), y: Math.floor((size.height - height) / 2), width, height };
}

export async function createCarLocator(options: CarLocatorOptions = {}): Promise<CarLocator> {
  const detector = await Detector.load(options.detectorManifest);
  const segmenterManifest = options.segmenterManifest ?? DEFAULT_SEGMENTER_MANIFEST;
  const segmenter = options.mask === false || !existsSync(segmenterManifest) ? null : await loadSegmenterIfWeightsExist(segmenterManifest);
  const classes = options.classes ?? ['car', 'truck'];
  const margin = options.margin ?? 0.12;
  const fallbackShare = options.fallbackShare ?? 0.8;
  return {
    async locate(imagePath: string): Promise<CarLocation> {
      const [detections, mask, meta] = await Promise.all([
        detector.detect(imagePath, { scoreThreshold: options.scoreThreshold ?? 0.25, nmsIou: options.nmsIou }),
        segmenter ? segmenter.carMask(imagePath) : Promise.resolve(null),
        sharp(imagePath).metadata(),
      ]);
      const upright = meta.autoOrient ?? meta;
      const size = { width: upright.width!, height: upright.height! };
      const main = pickMainCar(detections, classes);
      if (!main) return { method: 'fallback_center', box: centralRegion(size, fallbackShare), score: 0, className: null, mask };
      return { method: 'detector', box: expandAndClamp(main.box, margin, size), score: main.score, className: main.className, mask };
    },
    async dispose() {
      await Promise.all([detector.dispose(), segmenter?.dispose()]);
    },
  };
}

/** The mask is an optional refinement: missing weights mean "measure on the box", any other failure is an error. */
async function loadSegmenterIfWeightsExist(manifest: string): Promise<CarSegmenter | null> {
  try {
    return await CarSegmenter.load(manifest);
  } catch (error) {
    if (/weights named by .* not found/.test((error as Error).message)) return null;
    throw error;
  }
}
