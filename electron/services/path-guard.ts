import { realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif', '.tif', '.tiff']);

/** A path the renderer asked for that lies outside every allowed folder (or is no image). */
export class PathRefusedError extends Error {
  override name = 'PathRefusedError';
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves a path from the renderer and returns its real location, only when it lies inside one of `roots`.
 * Both sides go through realpath, so `..` segments and symlinks pointing out of the workspace are refused alike.
 * Relative paths are taken relative to the first root.
 */
export async function resolveInside(roots: readonly string[], requested: string, options: { imagesOnly?: boolean } = {}): Promise<string> {
  if (roots.length === 0) throw new PathRefusedError('no dataset is open');
  if (requested.includes('\0')) throw new PathRefusedError('path contains a NUL byte');
  const target = resolve(roots[0]!, requested);
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new PathRefusedError(`not found: ${requested}`);
  }
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => resolve(r))));
  if (!realRoots.some((root) => inside(root, real))) {
    throw new PathRefusedError(`refused: ${requested} is outside the open workspace and dataset`);
  }
  if (options.imagesOnly && !IMAGE_EXTENSIONS.has(extname(real).toLowerCase())) {
    throw new PathRefusedError(`refused: ${requested} is not an image`);
  }
  return real;
}
