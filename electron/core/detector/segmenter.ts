import sharp from 'sharp';
import type { CarMask } from './car-locator';
import { readSegmenterManifest, type SegmenterManifest } from './manifest';
import { createSession, ort } from './onnx-session';
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

  async carMask(image: string | Buffer): Promise<CarMask> {
    const prepared = await this.prepare(image);
    return this.toMask(await this.infer(prepared), prepared.source);
  }

  /** The whole photo squeezed to the square input: the network was trained that way, so no letterbox. */
  async prepare(image: string | Buffer): Promise<PreparedSegmenterInput> {
    const { input } = this.manifest;
    const source = await uprightSize(image);
    const { data } = await sharp(image)
      .autoOrient()
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
    // Element (pixel p, class c) sits at p * pixelStep + c * classStep in either layout.
    const [pixelStep, classStep] = nhwc ? [classes, 1] : [1, plane];
    const isCar = new Uint8Array(classes);
    for (const c of carClassIndices) if (c < classes) isCar[c] = 1;
    const small = Buffer.alloc(plane);
    for (let p = 0; p < plane; p++) {
      const base = p * pixelStep;
      let best = 0;
      let bestValue = values[base]!;
      for (let c = 1; c < classes; c++) {
        const value = values[base + c * classStep]!;
        if (value > bestValue) {
          bestValue = value;
          best = c;
        }
      }
      small[p] = isCar[best] ? 255 : 0;
    }
    // Upscale the low-resolution mask smoothly, then threshold at half, so edges are not blocky steps.
    const full = await sharp(small, { raw: { width: ow, height: oh, channels: 1 } })
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .extractChannel(0) // sharp widens one-band raw input to sRGB on output
      .raw()
      .toBuffer();
    const mask = new Uint8Array(size.width * size.height);
    for (let i = 0; i < mask.length; i++) mask[i] = full[i]! >= 128 ? 1 : 0;
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
