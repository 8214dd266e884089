import sharp from 'sharp';
import { TRANSPARENT_BACKGROUND } from '../dataset/photo-background';
import type { EmbedderManifest } from './manifest';

export type ImageInput = string | Buffer;

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
}

/** How a network wants its pixels: the input size, channel order and per-channel scale, mean and std. */
export type PixelLayout = Pick<EmbedderManifest['image'], 'width' | 'height' | 'channelOrder' | 'scale' | 'mean' | 'std'>;

/** Decodes an image upright, as 3-channel sRGB pixels; transparency is flattened onto neutral grey, not dropped. */
export async function decodeRgb(image: ImageInput): Promise<RawImage> {
  const { data, info } = await sharp(image).autoOrient().flatten({ background: TRANSPARENT_BACKGROUND }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Pixels already decoded pass through; a file or an encoded buffer is decoded with decodeRgb. */
export function asRawImage(image: ImageInput | RawImage): Promise<RawImage> {
  return typeof image === 'string' || Buffer.isBuffer(image) ? decodeRgb(image) : Promise.resolve(image);
}

/** Fits pixels to the tower's input: CLIP's shortest-side resize + centre crop, or a plain resize. */
export async function resizeForTower(image: RawImage, tower: Pick<EmbedderManifest['image'], 'width' | 'height' | 'resize'>): Promise<Buffer> {
  const pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  const fit = tower.resize === 'shortest_side_center_crop' ? 'cover' : 'fill';
  // CLIP's reference preprocessing resizes with bicubic interpolation.
  return pipeline.resize(tower.width, tower.height, { fit, position: 'centre', kernel: 'cubic' }).raw().toBuffer();
}

/** HWC uint8 pixels → one CHW float image: × scale, − mean, ÷ std, in the tower's channel order. */
export function normalise(pixels: Buffer, tower: PixelLayout, out: Float32Array, offset = 0): void {
  const plane = tower.width * tower.height;
  if (pixels.length !== plane * 3) throw new Error(`expected ${tower.width}×${tower.height}×3 pixels, got ${pixels.length} values`);
  const order = tower.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const source = order[c]!;
    const mean = tower.mean[c]!;
    const std = tower.std[c]!;
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = (pixels[i * 3 + source]! * tower.scale - mean) / std;
  }
}

/** The square patches of a large image: `size` windows every `stride` pixels, the last one flush with the edge. */
export function patchOrigins(length: number, size: number, stride: number): number[] {
  if (length <= size) return [0];
  const origins: number[] = [];
  for (let at = 0; at + size < length; at += stride) origins.push(at);
  origins.push(length - size);
  return origins;
}

export async function extractPatch(image: RawImage, left: number, top: number, width: number, height: number): Promise<RawImage> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    .raw()
    .toBuffer();
  return { data, width, height };
}
