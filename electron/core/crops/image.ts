import sharp from 'sharp';
import type { BBox } from '../dataset/model';
import { TRANSPARENT_BACKGROUND } from '../dataset/photo-background';
import type { UprightPixels } from '../detector/photo-pixels';
import { writeFileAtomic } from '../workspace/atomic-write';
import type { CropConfig } from './config';
import type { Size } from './geometry';

export interface DecodedPhoto {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  /** The same pixels for the car locator's models, when they are exactly what those would decode (see UprightPixels). */
  modelPixels?: UprightPixels | null;
}

/**
 * Decodes a photo once, so all its crops are cut from the same pixels, in the frame its annotation uses.
 * LabelMe applies the EXIF orientation before annotating, so the upright frame is preferred; when only the
 * stored frame has the annotation's size (an annotation written by a tool that ignores EXIF), that one is
 * used. A size matching neither means the boxes would point at the wrong pixels: an error, not a guess.
 */
export async function decodePhoto(path: string, expected: Size): Promise<DecodedPhoto> {
  const meta = await sharp(path).metadata();
  const upright = meta.autoOrient ?? { width: meta.width, height: meta.height };
  const matches = (s: { width?: number; height?: number }) => s.width === expected.width && s.height === expected.height;
  if (!matches(upright) && !matches(meta)) {
    throw new Error(
      `${path}: the image is ${upright.width}×${upright.height} but its annotation says ${expected.width}×${expected.height}`,
    );
  }
  // flatten is a no-op without alpha; with it, transparent pixels become neutral grey instead of their stored colour.
  let pipeline = sharp(path, { failOn: 'error' }).flatten({ background: TRANSPARENT_BACKGROUND });
  if (matches(upright)) pipeline = pipeline.autoOrient();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const { format } = meta;
  const plainSrgb = meta.channels === 3 && !meta.hasAlpha && meta.space === 'srgb' && meta.depth === 'uchar' && !meta.hasProfile;
  const modelPixels = matches(upright) && plainSrgb && info.channels === 3 && (format === 'jpeg' || format === 'png') ? { data, width: info.width, height: info.height, format } : null;
  return { data, width: info.width, height: info.height, channels: info.channels, modelPixels };
}

/** Output size for a region: kept when it fits in cropSize, else scaled so its long side is cropSize. */
export function cropOutputSize(region: Size, cropSize: number): Size {
  const long = Math.max(region.width, region.height);
  if (long <= cropSize) return { width: region.width, height: region.height };
  const k = cropSize / long;
  return {
    width: Math.max(1, Math.round(region.width * k)),
    height: Math.max(1, Math.round(region.height * k)),
  };
}

/** JPEG bytes of a region of the photo: real pixels only, Lanczos-downscaled when larger than cropSize. */
export async function encodeCrop(
  photo: DecodedPhoto,
  region: BBox,
  config: Pick<CropConfig, 'cropSize' | 'jpegQuality'>,
): Promise<{ jpeg: Buffer; size: Size }> {
  const size = cropOutputSize(region, config.cropSize);
  let pipeline = sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: photo.channels } }).extract({
    left: region.x,
    top: region.y,
    width: region.width,
    height: region.height,
  });
  if (size.width !== region.width || size.height !== region.height) {
    pipeline = pipeline.resize(size.width, size.height, { kernel: 'lanczos3', fit: 'fill' });
  }
  // 4:4:4: chroma subsampling would smear thin scratches across colour edges.
  const jpeg = await pipeline.jpeg({ quality: config.jpegQuality, chromaSubsampling: '4:4:4' }).toBuffer();
  return { jpeg, size };
}

export async function writeCrop(
  path: string,
  photo: DecodedPhoto,
  region: BBox,
  config: Pick<CropConfig, 'cropSize' | 'jpegQuality'>,
): Promise<Size> {
  const { jpeg, size } = await encodeCrop(photo, region, config);
  await writeFileAtomic(path, jpeg);
  return size;
}
