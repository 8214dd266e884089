import sharp from 'sharp';
import type { CarMask } from './car-locator';
import { readSegmenterManifest, type SegmenterManifest } from './manifest';
import { createSession, ort } from './onnx-session';
import { resizeSource, type UprightPixels } from './photo-pixels';
import { uprightSize } from './upright-size';

export interface PreparedSegmenterInput {
  tensor: Float32Array;
  /** Upright photo size, the size of the mask. */
  source: { width: number; height: number };
}

/** Semantic segmentation (DeepLabV3-style) reduced to a car / not-car mask at the photo's size. */
export class CarSegmenter {
  private constructor(
    readonly manifest: SegmenterManifest,
    private readonly session: ort.InferenceSession,
  ) {}

  static async load(manifestPath?: string): Promise<CarSegmenter> {
    return CarSegmenter.fromManifest(await readSegmenterManifest(manifestPath));
  }

  static async fromManifest(manifest: SegmenterManifest): Promise<CarSegmenter> {
    return new CarSegmenter(manifest, await createSession(manifest.modelPath));
  }

  async carMask(image: string | Buffer, pixels?: UprightPixels): Promise<CarMask> {
    const prepared = await this.prepare(image, pixels);
    return this.toMask(await this.infer(prepared), prepared.source);
  }

  /**
   * The whole photo squeezed to the square input: the network was trained that way, so no letterbox. `pixels`: the
   * photo already decoded by the caller, used instead of decoding it again where that gives the same input.
   */
  async prepare(image: string | Buffer, pixels?: UprightPixels): Promise<PreparedSegmenterInput> {
    const { input } = this.manifest;
    const source = pixels ? { width: pixels.width, height: pixels.height } : await uprightSize(image);
    const { data } = await resizeSource(image, pixels, input)
      .removeAlpha()
      .toColourspace('srgb')
      .resize(input.width, input.height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const plane = input.width * input.height;
    const tensor = new Float32Array(3 * plane);
    const order = input.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    const nhwc = input.layout === 'NHWC';
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) tensor[nhwc ? i * 3 + c : c * plane + i] = data[i * 3 + order[c]!]! * input.scale + input.offset;
    }
    return { tensor, source };
  }

  /** Per-class logits as returned by the network, with their dims. */
  async infer(prepared: PreparedSegmenterInput): Promise<{ values: Float32Array; dims: number[] }> {
    const { input, output } = this.manifest;
    const shape = input.layout === 'NHWC' ? [1, input.height, input.width, 3] : [1, 3, input.height, input.width];
    const result = await this.session.run({ [input.name]: new ort.Tensor('float32', prepared.tensor, shape) });
    const logits = result[output.name];
    if (!logits) throw new Error(`segmenter ${this.manifest.id}: no output named '${output.name}' (outputs: ${Object.keys(result).join(', ')})`);
    return { values: logits.data as Float32Array, dims: logits.dims as number[] };
  }

  /** Per-pixel argmax ∈ car classes, upsampled to the photo's size. */
  async toMask(logits: { values: Float32Array; dims: number[] }, size: { width: number; height: number }): Promise<CarMask> {
    const { input, carClassIndices } = this.manifest;
    const [, d1, d2, d3] = logits.dims;
    const nhwc = input.layout === 'NHWC';
    const [oh, ow, classes] = nhwc ? [d1!, d2!, d3!] : [d2!, d3!, d1!];
    const values = logits.values;
    const plane = oh * ow;
    // 255 for a car class, 0 else: the argmax's class maps straight to the low-resolution mask's byte.
    const carByte = new Uint8Array(classes);
    for (const c of carClassIndices) if (c < classes) carByte[c] = 255;
    const small = Buffer.alloc(plane);
    if (nhwc) argmaxContiguous(values, plane, classes, carByte, small);
    else argmaxPlanar(values, plane, classes, carByte, small);
    // Upscale the low-resolution mask smoothly, then threshold at half, so edges are not blocky steps.
    const full = await sharp(small, { raw: { width: ow, height: oh, channels: 1 } })
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .extractChannel(0) // sharp widens one-band raw input to sRGB on output
      .raw()
      .toBuffer();
    const mask = new Uint8Array(size.width * size.height);
    thresholdHalf(full, mask);
    return { width: size.width, height: size.height, data: mask };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

export function maskShare(mask: CarMask): number {
  let car = 0;
  for (const v of mask.data) car += v;
  return car / mask.data.length;
}

/** Per pixel, the byte of its best class (the first of equal ones), when a pixel's class scores are contiguous (NHWC). */
function argmaxContiguous(values: Float32Array, plane: number, classes: number, byteOf: Uint8Array, out: Uint8Array): void {
  for (let p = 0, base = 0; p < plane; p++, base += classes) {
    let best = 0;
    let bestValue = values[base]!;
    for (let c = 1; c < classes; c++) {
      const value = values[base + c]!;
      if (value > bestValue) {
        bestValue = value;
        best = c;
      }
    }
    out[p] = byteOf[best]!;
  }
}

/** As argmaxContiguous for one plane per class (NCHW): planes are swept in order, so memory is read sequentially. */
function argmaxPlanar(values: Float32Array, plane: number, classes: number, byteOf: Uint8Array, out: Uint8Array): void {
  const bestValue = values.slice(0, plane);
  const best = new Uint16Array(plane);
  for (let c = 1; c < classes; c++) {
    const offset = c * plane;
    for (let p = 0; p < plane; p++) {
      const value = values[offset + p]!;
      if (value > bestValue[p]!) {
        bestValue[p] = value;
        best[p] = c;
      }
    }
  }
  for (let p = 0; p < plane; p++) out[p] = byteOf[best[p]!]!;
}

/** 1 where a byte is ≥ 128, else 0: its top bit, taken four bytes at a time where the buffers allow it. */
function thresholdHalf(bytes: Buffer, out: Uint8Array): void {
  let done = 0;
  if (bytes.byteOffset % 4 === 0 && out.byteOffset % 4 === 0) {
    const words = Math.floor(out.length / 4);
    const from = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    const to = new Uint32Array(out.buffer, out.byteOffset, words);
    for (let i = 0; i < words; i++) to[i] = (from[i]! >>> 7) & 0x01010101;
    done = words * 4;
  }
  for (let i = done; i < out.length; i++) out[i] = bytes[i]! >>> 7;
}
