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
  if (pixels.length !== tower.width * tower.height * 3) throw new Error(`expected ${tower.width}×${tower.height}×3 pixels, got ${pixels.length} values`);
  normaliseWindow({ data: pixels, width: tower.width, height: tower.height }, 0, 0, tower, out, offset);
}

/**
 * The input-sized window of `image` at (left, top) → one CHW float image, as normalise: a window exactly the
 * input's size needs no resampling, so a patch is read straight from the decoded pixels into the tensor.
 */
export function normaliseWindow(image: RawImage, left: number, top: number, tower: PixelLayout, out: Float32Array, offset = 0): void {
  const { width, height } = tower;
  if (left < 0 || top < 0 || left + width > image.width || top + height > image.height) {
    throw new Error(`window ${width}×${height} at (${left}, ${top}) is outside the ${image.width}×${image.height} image`);
  }
  const [first, second, third] = channelTables(tower);
  const [r0, r1, r2] = tower.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const plane = width * height;
  const pixels = image.data;
  for (let y = 0; y < height; y++) {
    let from = ((top + y) * image.width + left) * 3;
    let to = offset + y * width;
    const end = to + width;
    for (; to < end; to++, from += 3) {
      out[to] = first[pixels[from + r0]!]!;
      out[to + plane] = second[pixels[from + r1]!]!;
      out[to + 2 * plane] = third[pixels[from + r2]!]!;
    }
  }
}

type PlaneTables = [Float32Array, Float32Array, Float32Array];
const tablesByLayout = new WeakMap<PixelLayout, PlaneTables>();

/**
 * Per tensor plane, the float of each of the 256 byte values: (byte × scale − mean) / std computed in double and
 * rounded to float32 once, exactly what storing the per-pixel formula into a Float32Array gives, at one load.
 */
function channelTables(tower: PixelLayout): PlaneTables {
  let tables = tablesByLayout.get(tower);
  if (!tables) {
    const table = (c: number) => Float32Array.from({ length: 256 }, (_, byte) => (byte * tower.scale - tower.mean[c]!) / tower.std[c]!);
    tables = [table(0), table(1), table(2)];
    tablesByLayout.set(tower, tables);
  }
  return tables;
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
