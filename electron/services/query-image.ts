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
 * A dropped query photo is kept in the workspace under its hash (queries/<hash>.<ext>), so the embedder and the
 * heads can read it by path and the image route can serve it back. `name` (the dropped file's) only words errors.
 */
export async function storeQueryImage(workspace: string, bytes: Buffer, name?: string): Promise<string> {
  const what = name ? `the dropped file ${name}` : 'the dropped file';
  if (bytes.length === 0) throw new BadImageError(`${what} is empty (0 bytes): drop a photo (${READABLE})`);
  const sharp = (await import('sharp')).default;
  const meta = await sharp(bytes).metadata().catch(() => null);
  const ext = meta?.format === 'jpeg' ? '.jpg' : meta?.format ? `.${meta.format}` : null;
  if (!ext || !IMAGE_EXTENSIONS.has(ext)) throw new BadImageError(`${what} is not a photo CarLens can read: expected ${READABLE}`);
  const { writeFileAtomic } = await import('../core/workspace/atomic-write');
  const path = join(workspace, 'queries', `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${ext}`);
  await mkdir(join(workspace, 'queries'), { recursive: true });
  await writeFileAtomic(path, bytes);
  return path;
}
