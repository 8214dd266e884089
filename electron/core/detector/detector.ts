import type { BBox } from '../dataset/model';
import { decodeYolov8, decodeYolox, nms } from './decode';
import { letterbox, toSource, type Letterbox } from './geometry';
import { readDetectorManifest, type DetectorManifest } from './manifest';
import { createSession, ort } from './onnx-session';
import { resizeSource, type UprightPixels } from './photo-pixels';
import { uprightSize } from './upright-size';

export interface Detection {
  /** In source-photo pixels (upright frame), clamped to the photo. */
  box: BBox;
  score: number;
  classId: number;
  className: string;
}

export const DEFAULT_SCORE_THRESHOLD = 0.25;
export const DEFAULT_NMS_IOU = 0.45;

export interface DetectOptions {
  scoreThreshold?: number;
  nmsIou?: number;
}

export interface PreparedInput {
  tensor: Float32Array;
  letterbox: Letterbox;
  source: { width: number; height: number };
}

/** A COCO YOLO-family detector (YOLOX or YOLOv8 layout) whose preprocessing comes from its manifest. */
export class Detector {
  private constructor(
    readonly manifest: DetectorManifest,
    private readonly session: ort.InferenceSession,
  ) {}

  static async load(manifestPath?: string): Promise<Detector> {
    const manifest = await readDetectorManifest(manifestPath);
    return new Detector(manifest, await createSession(manifest.modelPath));
  }

  /**
   * Letterboxed NCHW tensor in the manifest's channel order and scale, with what is needed to undo it. `pixels`:
   * the photo already decoded by the caller, used instead of decoding it again where that gives the same input.
   */
  async prepare(image: string | Buffer, pixels?: UprightPixels): Promise<PreparedInput> {
    const { input } = this.manifest;
    const source = pixels ? { width: pixels.width, height: pixels.height } : await uprightSize(image);
    const lb = letterbox(source, input, input.letterbox);
    const upright = resizeSource(image, pixels, lb);
    const pad = { r: input.padValue, g: input.padValue, b: input.padValue };
    const { data } = await upright
      .removeAlpha()
      .toColourspace('srgb')
      .resize(lb.width, lb.height, { fit: 'fill', kernel: 'linear' })
      .extend({ top: lb.dy, left: lb.dx, bottom: input.height - lb.height - lb.dy, right: input.width - lb.width - lb.dx, background: pad })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const plane = input.width * input.height;
    const tensor = new Float32Array(3 * plane);
    // Plane k of the tensor takes source channel `first + k * step` of the interleaved sRGB pixels.
    const [first, step] = input.channelOrder === 'BGR' ? [2, -1] : [0, 1];
    const scale = input.scale;
    for (let i = 0; i < plane; i++) {
      const at = i * 3 + first;
      tensor[i] = data[at]! * scale;
      tensor[plane + i] = data[at + step]! * scale;
      tensor[2 * plane + i] = data[at + 2 * step]! * scale;
    }
    return { tensor, letterbox: lb, source };
  }

  async detect(image: string | Buffer, options: DetectOptions = {}, pixels?: UprightPixels): Promise<Detection[]> {
    const prepared = await this.prepare(image, pixels);
    return this.decode(await this.infer(prepared), prepared, options);
  }

  /** Runs the network on a prepared input; returns its raw output values. */
  async infer(prepared: PreparedInput): Promise<Float32Array> {
    const { input, output } = this.manifest;
    const feeds = { [input.name]: new ort.Tensor('float32', prepared.tensor, [1, 3, input.height, input.width]) };
    const result = await this.session.run(feeds);
    const raw = result[output.name];
    if (!raw) throw new Error(`detector ${this.manifest.id}: no output named '${output.name}' (outputs: ${Object.keys(result).join(', ')})`);
    return raw.data as Float32Array;
  }

  /** Raw output → thresholded, class-wise NMS'd detections in source pixels. */
  decode(values: Float32Array, prepared: PreparedInput, options: DetectOptions = {}): Detection[] {
    const { input } = this.manifest;
    const threshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
    const numClasses = this.manifest.classNames.length;
    const decoded =
      this.manifest.format === 'yolox'
        ? decodeYolox(values, input, this.manifest.strides ?? [8, 16, 32], numClasses, threshold)
        : decodeYolov8(values, numClasses, threshold);
    return nms(decoded, options.nmsIou ?? DEFAULT_NMS_IOU).map((d) => ({
      box: clampBox(toSource(d.box, prepared.letterbox), prepared.source),
      score: d.score,
      classId: d.classId,
      className: this.manifest.classNames[d.classId] ?? String(d.classId),
    }));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function clampBox(box: BBox, size: { width: number; height: number }): BBox {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(size.width, box.x + box.width);
  const y1 = Math.min(size.height, box.y + box.height);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}
