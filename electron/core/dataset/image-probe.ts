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
    return { ok: false, code: 'unreadable_image', message: `cannot read the image: ${firstLine(message)}` };
  }
  if (width * height > maxPixels) {
    return {
      ok: false,
      code: 'image_too_large',
      message: `${width}×${height} = ${(width * height).toLocaleString('en')} pixels exceeds the limit of ${maxPixels.toLocaleString('en')}`,
    };
  }
  const decode = (failOn: 'truncated' | 'none') =>
    sharp(path, { limitInputPixels: maxPixels, failOn }).resize({ width: 64, height: 64, fit: 'inside' }).raw().toBuffer();
  try {
    await decode('truncated');
  } catch {
    // libvips keeps one error buffer for all threads: under concurrent decodes the text may be another image's or
    // 'Unknown error'. So the code comes from a second, lenient decode, not from the text; that decode runs one at a
    // time so its message, for an image that cannot be decoded at all, is its own.
    const lenient = await serially(() => decode('none').then(() => null, (error: Error) => error));
    if (!lenient) return { ok: false, code: 'truncated_image', message: 'the image is truncated: its data ends before the last pixel' };
    return { ok: false, code: 'unreadable_image', message: `cannot decode the image: ${firstLine(lenient.message)}` };
  }
  return { ok: true, width, height };
}

let queue: Promise<unknown> = Promise.resolve();
function serially<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task);
  queue = result.catch(() => undefined);
  return result;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
