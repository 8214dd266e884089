import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_EXTENSIONS } from './path-guard';

/** A dropped or picked query file that is no photo CarLens can read: the caller's fault, said in plain words. */
export class BadImageError extends Error {
  override name = 'BadImageError';
}

const READABLE = 'JPEG, PNG, WebP, GIF, BMP or TIFF';

/**
 * Refuses a query photo over the dataset loader's pixel limit (DEFAULT_MAX_PIXELS, 50 MP) from its header alone,
 * before anything decodes it: a 16000² PNG of a few hundred KB would take gigabytes and tens of seconds to decode.
 * `what` words the error. Unreadable headers are left to the caller's own check.
 */
export async function assertPixelLimit(input: string | Buffer, what: string): Promise<void> {
  const sharp = (await import('sharp')).default;
  const { DEFAULT_MAX_PIXELS } = await import('../core/dataset/image-probe');
  const meta = await sharp(input, { limitInputPixels: false }).metadata().catch(() => null);
  const pixels = (meta?.width ?? 0) * (meta?.height ?? 0);
  if (pixels > DEFAULT_MAX_PIXELS) {
    throw new BadImageError(
      `${what} is too large: ${meta!.width}×${meta!.height} pixels is over the limit of ${DEFAULT_MAX_PIXELS / 1e6} megapixels; use a smaller photo`,
    );
  }
}

/**
 * Why the pixels of a photo whose header reads do not decode, in words, or null when they decode. As the dataset
 * loader does (image-probe.ts), a JPEG must decode without even a warning: libjpeg fills corrupt blocks with flat
 * grey and only warns. The verdict comes from which strictness passes, never from libvips' text, which names
 * internal details and, under concurrent decodes, may even be another image's.
 */
async function pixelProblem(bytes: Buffer, format: string, maxPixels: number): Promise<string | null> {
  const sharp = (await import('sharp')).default;
  const passes = (failOn: 'warning' | 'truncated' | 'none') =>
    sharp(bytes, { limitInputPixels: maxPixels, failOn }).resize({ width: 64, height: 64, fit: 'inside' }).raw().toBuffer().then(() => true, () => false);
  const strict = format === 'jpeg' ? 'warning' : 'truncated';
  if (await passes(strict)) return null;
  if (strict === 'warning' && (await passes('truncated'))) return 'has damaged picture data (parts of it would show as flat grey)';
  if (await passes('none')) return 'is incomplete: its picture data ends before the last pixel (an interrupted copy or download?)';
  return 'has a photo header but picture data that cannot be decoded';
}

/**
 * A dropped query photo is kept in the workspace under its hash (queries/<hash>.<ext>), so the embedder and the
 * heads can read it by path and the image route can serve it back. Only a photo that decodes whole is kept: a
 * refused drop leaves nothing behind. `name` (the dropped file's) only words errors.
 */
export async function storeQueryImage(workspace: string, bytes: Buffer, name?: string): Promise<string> {
  const what = name ? `the dropped file ${name}` : 'the dropped file';
  if (bytes.length === 0) throw new BadImageError(`${what} is empty (0 bytes): drop a photo (${READABLE})`);
  const sharp = (await import('sharp')).default;
  // The pixel limit is checked on the header first; limitInputPixels keeps any later decode of these bytes bounded too.
  await assertPixelLimit(bytes, what);
  const { DEFAULT_MAX_PIXELS } = await import('../core/dataset/image-probe');
  const meta = await sharp(bytes, { limitInputPixels: DEFAULT_MAX_PIXELS }).metadata().catch(() => null);
  const ext = meta?.format === 'jpeg' ? '.jpg' : meta?.format ? `.${meta.format}` : null;
  if (!ext || !IMAGE_EXTENSIONS.has(ext)) throw new BadImageError(`${what} is not a photo CarLens can read: expected ${READABLE}`);
  const problem = await pixelProblem(bytes, meta!.format!, DEFAULT_MAX_PIXELS);
  if (problem) throw new BadImageError(`${what} ${problem}; it was not kept: drop an intact copy of the photo`);
  const { writeFileAtomic } = await import('../core/workspace/atomic-write');
  const path = join(workspace, 'queries', `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${ext}`);
  await mkdir(join(workspace, 'queries'), { recursive: true });
  await writeFileAtomic(path, bytes);
  return path;
}
