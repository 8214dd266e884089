import { open } from 'node:fs/promises';
import sharp from 'sharp';
import { readFailureReason } from './dataset-files';
import type { ProblemCode } from './model';

/** Default pixel limit: a 50-megapixel photo is already larger than any camera the inspectors use. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

export interface ProbedImage {
  /** Upright size (EXIF orientation applied): the frame every phase works in. */
  width: number;
  height: number;
  /** Size of the pixels as stored in the file, before the EXIF orientation is applied. */
  stored: { width: number; height: number };
  /** EXIF orientation 1-8 (1: none). */
  orientation: number;
}

export type ProbeResult = ({ ok: true } & ProbedImage) | { ok: false; code: ProblemCode; message: string };

/**
 * Checks that a file is a whole, decodable image within the pixel limit, and returns its size.
 * The header alone does not reveal a truncated JPEG, so the pixels are decoded too, at reduced size
 * (JPEG shrink-on-load still reads the whole entropy-coded stream, at a fraction of the cost).
 */
export async function probeImage(path: string, maxPixels: number = DEFAULT_MAX_PIXELS): Promise<ProbeResult> {
  let bytes: number;
  try {
    bytes = await readableFileSize(path);
  } catch (error) {
    return { ok: false, code: 'unreadable_file', message: `cannot read the image file: ${readFailureReason(error)}` };
  }
  if (bytes === 0) return { ok: false, code: 'empty_file', message: 'the image file is empty (0 bytes)' };

  let width: number;
  let height: number;
  let stored: ProbedImage['stored'];
  let orientation: number;
  let format: string | undefined;
  try {
    const meta = await sharp(path, { limitInputPixels: false }).metadata();
    // LabelMe and every phase work on the upright photo (EXIF orientation applied).
    const upright = meta.autoOrient ?? meta;
    if (!upright.width || !upright.height) return { ok: false, code: 'unreadable_image', message: 'the image has no size' };
    width = upright.width;
    height = upright.height;
    stored = { width: meta.width, height: meta.height };
    orientation = meta.orientation ?? 1;
    format = meta.format;
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
  const decode = (failOn: 'warning' | 'truncated' | 'none') =>
    sharp(path, { limitInputPixels: maxPixels, failOn }).resize({ width: 64, height: 64, fit: 'inside' }).raw().toBuffer();
  const passes = (failOn: 'warning' | 'truncated') => decode(failOn).then(() => true, () => false);
  // libjpeg decodes corrupt entropy-coded data with only a warning, filling the damaged blocks with flat grey: a
  // crop of it teaches "grey = car". So JPEGs must decode without any warning. Other formats report real damage as
  // errors, while their warnings are often benign (libpng's "incorrect sRGB profile"), so they stop at truncation.
  const strict = format === 'jpeg' ? 'warning' : 'truncated';
  if (!(await passes(strict))) {
    // libvips keeps one error buffer for all threads: under concurrent decodes the text may be another image's or
    // 'Unknown error'. So the code comes from which strictness levels pass, not from the text; the lenient decode
    // runs one at a time so its message, for an image that cannot be decoded at all, is its own.
    const verdict = await serially(async () => {
      if (strict === 'warning' && (await passes('truncated'))) return 'corrupt' as const;
      return decode('none').then(() => 'truncated' as const, (error: Error) => error);
    });
    if (verdict === 'corrupt') {
      return { ok: false, code: 'corrupt_image', message: 'the image data is corrupt: it decodes only with errors, damaged parts would show as flat grey' };
    }
    if (verdict === 'truncated') return { ok: false, code: 'truncated_image', message: 'the image is truncated: its data ends before the last pixel' };
    return { ok: false, code: 'unreadable_image', message: `cannot decode the image: ${firstLine(verdict.message)}` };
  }
  return { ok: true, width, height, stored, orientation };
}

/** The file's size, failing like a read would (permission, broken link, folder) before sharp's vaguer messages. */
async function readableFileSize(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return info.size;
  } finally {
    await handle.close();
  }
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
