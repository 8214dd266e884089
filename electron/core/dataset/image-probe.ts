import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { ProblemCode } from './model';

/** Default pixel limit: a 50-megapixel photo is already larger than any camera the inspectors use. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

export type ProbeResult =
  | { ok: true; width: number; height: number }
  | { ok: false; code: ProblemCode; message: string };

/**
 * Checks that a file is a whole, decodable image within the pixel limit, and returns its size.
 * The header alone does not reveal a truncated JPEG, so the pixels are decoded too, at reduced size
 * (JPEG shrink-on-load still reads the whole entropy-coded stream, at a fraction of the cost).
 */
export async function probeImage(path: string, maxPixels: number = DEFAULT_MAX_PIXELS): Promise<ProbeResult> {
  const info = await stat(path);
  if (info.size === 0) return { ok: false, code: 'empty_file', message: 'the image file is empty (0 bytes)' };

  let width: number;
  let height: number;
  try {
    const meta = await sharp(path, { limitInputPixels: false }).metadata();
    // LabelMe and every phase work on the upright photo (EXIF orientation applied).
    const upright = meta.autoOrient ?? meta;
    if (!upright.width || !upright.height) return { ok: false, code: 'unreadable_image', message: 'the image has no size' };
    width = upright.width;
    height = upright.height;
  } catch (error) {
    const message = (error as Error).message;
    if (/unsupported image format/i.test(message)) {
      return { ok: false, code: 'not_an_image', message: 'not an image (unrecognised content)' };
    }
    return { ok: false, code: 'unreadable_image', message: `cannot read the image: ${message}` };
  }
  if (width * height > maxPixels) {
    return {
      ok: false,
      code: 'image_too_large',
      message: `${width}×${height} = ${(width * height).toLocaleString('en')} pixels exceeds the limit of ${maxPixels.toLocaleString('en')}`,
    };
  }
  try {
    await sharp(path, { limitInputPixels: maxPixels, failOn: 'truncated' })
      .resize({ width: 64, height: 64, fit: 'inside' })
      .raw()
      .toBuffer();
  } catch (error) {
    const message = (error as Error).message;
    if (/premature end|truncat|unexpected end/i.test(message)) {
      return { ok: false, code: 'truncated_image', message: `the image is truncated: ${message}` };
    }
    return { ok: false, code: 'unreadable_image', message: `cannot decode the image: ${message}` };
  }
  return { ok: true, width, height };
}
