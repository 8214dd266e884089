import type { BBox } from '../dataset/model';
import type { UprightPixels } from './photo-pixels';

/**
 * Where the main car of an undamaged photo is. Phase 1's grid branch only depends on this contract;
 * the YOLO detector and the optional segmentation mask implement it.
 */
export interface CarLocation {
  /** `detector`: a car box was found. `fallback_center`: none was found, the central region is used. */
  method: 'detector' | 'fallback_center';
  /** The chosen box after the margin, clamped to the photo, in source pixels. */
  box: BBox;
  /** Detector confidence of the chosen box (0 for the fallback). */
  score: number;
  /** COCO class name of the chosen box (car, truck, bus), null for the fallback. */
  className: string | null;
  /** Per-pixel car mask at the photo's size (1 = car), when a segmentation model is available. */
  mask: CarMask | null;
}

export interface CarMask {
  width: number;
  height: number;
  /** Row-major, one byte per pixel, 1 = car. */
  data: Uint8Array;
}

export interface CarLocator {
  /** `pixels`: the photo already decoded by the caller, so the models need not decode it again. */
  locate(imagePath: string, pixels?: UprightPixels): Promise<CarLocation>;
  /** Release ONNX sessions. */
  dispose(): Promise<void>;
}
