import sharp from 'sharp';
import type { CarMask } from './car-locator';
import { readSegmenterManifest, type SegmenterManifest } from './manifest';
import { createSession, ort } from './onnx-session';

/** Semantic segmentation (DeepLabV3-style) reduced to a car / not-car mask at the photo's size. */
export class CarSegmenter {
  private constructor(
    readonly manifest: SegmenterManifest,
    private readonly session: ort.InferenceSession,
  ) {}

  static async load(manifestPath?: string): Promise<CarSegmenter> {
    const manifest = await readSegmenterManifest(manifestPath);
    return new CarSegmenter(manifest, await createSession(manifest.modelPath));
  }

  async carMask(image: string | Buffer): Promise<CarMask> {
    const { input, output, carClassIndices } = this.manifest;
    const meta = await sharp(image).metadata();
    const oriented = meta.autoOrient ?? meta;
    const size = { width: oriented.width!, height: oriented.height! };
    // The network was trained on whole images resized to its square input, so no letterbox here.
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
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) {
        const value = data[i * 3 + order[c]!]! * input.scale + input.offset;
        tensor[input.layout === 'NHWC' ? i * 3 + c : c * plane + i] = value;
      }
    }
    const shape = input.layout === 'NHWC' ? [1, input.height, input.width, 3] : [1, 3, input.height, input.width];
    const result = await this.session.run({ [input.name]: new ort.Tensor('float32', tensor, shape) });
    const logits = result[output.name];
    if (!logits) throw new Error(`segmenter ${this.manifest.id}: no output named '${output.name}'`);
    const [, d1, d2, d3] = logits.dims as number[];
    const nhwc = input.layout === 'NHWC';
    const [oh, ow, classes] = nhwc ? [d1!, d2!, d3!] : [d2!, d3!, d1!];
    const values = logits.data as Float32Array;
    const small = Buffer.alloc(oh * ow);
    for (let p = 0; p < oh * ow; p++) {
      const at = (c: number) => (nhwc ? values[p * classes + c]! : values[c * oh * ow + p]!);
      let best = 0;
      for (let c = 1; c < classes; c++) if (at(c) > at(best)) best = c;
      small[p] = carClassIndices.includes(best) ? 255 : 0;
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
