import type { BBox } from '../dataset/model';
import type { CarLocation, CarLocator } from './car-locator';
import { DEFAULT_SCORE_THRESHOLD, Detector, type Detection } from './detector';
import { area, expandAndClamp } from './geometry';
import { findSegmenterManifest } from './manifest';
import type { UprightPixels } from './photo-pixels';
import { CarSegmenter } from './segmenter';
import { uprightSize } from './upright-size';

export { DEFAULT_NMS_IOU, DEFAULT_SCORE_THRESHOLD, Detector, type Detection, type DetectOptions } from './detector';
export { CarSegmenter, maskShare } from './segmenter';
export { decodeYolov8, decodeYolox, nms, type RawDetection } from './decode';
export { expandAndClamp, letterbox, toModel, toSource, type Letterbox } from './geometry';
export { DEFAULT_DETECTOR_MANIFEST, DEFAULT_SEGMENTER_MANIFEST, readDetectorManifest, readSegmenterManifest } from './manifest';
export type { CarLocation, CarLocator, CarMask } from './car-locator';
export type { UprightPixels } from './photo-pixels';

/**
 * COCO classes that count as the main car by default: car + truck. COCO labels pickups and many SUVs "truck":
 * on the 400 shared undamaged 512×512 photos, "car" alone is found on 90.75 %, car or truck on 96 %, and the
 * largest car-or-truck box is a truck on 155 of 385. Buses can be added through the options.
 */
export const DEFAULT_CAR_CLASSES: readonly string[] = ['car', 'truck'];
export const DEFAULT_MARGIN = 0.12;
export const DEFAULT_FALLBACK_SHARE = 0.8;

export interface CarLocatorOptions {
  /** Detector manifest path (default native-models/yolox-nano/manifest.json). */
  detectorManifest?: string;
  /**
   * Segmenter manifest path (default native-models/deeplabv3-mobilenetv2-voc/manifest.json); null = no mask.
   * A missing manifest or missing weights also give mask = null, so the crops fall back to the box.
   */
  segmenterManifest?: string | null;
  /** false = no mask, same as segmenterManifest null (default true). */
  mask?: boolean;
  /** COCO class names accepted as the car (default {@link DEFAULT_CAR_CLASSES}). */
  classes?: string[];
  scoreThreshold?: number;
  nmsIou?: number;
  /** Share of the box's width / height added on each side (default 0.12). */
  margin?: number;
  /** Share of each side kept when no car is found: the central region (default 0.8). */
  fallbackShare?: number;
}

/**
 * Picks the main car of a photo: the LARGEST box of an accepted class, not the most confident one, since in an
 * inspection photo the subject fills the frame while confident background cars are small.
 */
export function pickMainCar(detections: Detection[], classes: readonly string[]): Detection | null {
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
  const segmenter = await loadOptionalSegmenter(options);
  const classes = options.classes ?? DEFAULT_CAR_CLASSES;
  const margin = options.margin ?? DEFAULT_MARGIN;
  const fallbackShare = options.fallbackShare ?? DEFAULT_FALLBACK_SHARE;
  return {
    async locate(imagePath: string, pixels?: UprightPixels): Promise<CarLocation> {
      const [detections, mask, size] = await Promise.all([
        detector.detect(imagePath, { scoreThreshold: options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD, nmsIou: options.nmsIou }, pixels),
        segmenter ? segmenter.carMask(imagePath, pixels) : Promise.resolve(null),
        pixels ? { width: pixels.width, height: pixels.height } : uprightSize(imagePath),
      ]);
      const main = pickMainCar(detections, classes);
      if (!main) return { method: 'fallback_center', box: centralRegion(size, fallbackShare), score: 0, className: null, mask };
      return { method: 'detector', box: expandAndClamp(main.box, margin, size), score: main.score, className: main.className, mask };
    },
    async dispose() {
      await Promise.all([detector.dispose(), segmenter?.dispose()]);
    },
  };
}

async function loadOptionalSegmenter(options: CarLocatorOptions): Promise<CarSegmenter | null> {
  if (options.mask === false || options.segmenterManifest === null) return null;
  const manifest = await findSegmenterManifest(options.segmenterManifest);
  return manifest ? CarSegmenter.fromManifest(manifest) : null;
}
