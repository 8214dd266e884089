import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { extname, isAbsolute, parse, relative, resolve, sep } from 'node:path';

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
 * Relative paths are taken relative to the first root. A root that is a system or home folder (see
 * assertDataFolder) refuses everything: it would make the whole disk readable. With `imagesOnly`, the file must
 * also be an image within the decode limit (header only; a decompression bomb is refused before anyone decodes
 * it, the renderer included).
 */
export async function resolveInside(roots: readonly string[], requested: string, options: { imagesOnly?: boolean } = {}): Promise<string> {
  if (roots.length === 0) throw new PathRefusedError('no dataset is open');
  if (requested.includes('\0')) throw new PathRefusedError('path contains a NUL byte');
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => resolve(r))));
  for (const root of realRoots) {
    const why = await tooBroad(root);
    if (why) throw new PathRefusedError(`refused: the open folder ${root} is ${why}; no file is served from it`);
  }
  const target = resolve(roots[0]!, requested);
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new PathRefusedError(`not found: ${requested}`);
  }
  if (!realRoots.some((root) => inside(root, real))) {
    throw new PathRefusedError(`refused: ${requested} is outside the open workspace and dataset`);
  }
  if (options.imagesOnly) {
    if (!IMAGE_EXTENSIONS.has(extname(real).toLowerCase())) throw new PathRefusedError(`refused: ${requested} is not an image`);
    const { assertPixelLimit } = await import('./query-image');
    await assertPixelLimit(real, requested);
  }
  return real;
}

/** Top-level folders of the system (POSIX and macOS) and of Windows: never a dataset or a workspace. */
const SYSTEM_FOLDERS = new Set(
  [
    ...['bin', 'boot', 'dev', 'etc', 'lib', 'lib32', 'lib64', 'libx32', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var'],
    ...['Applications', 'Library', 'System', 'Users', 'Volumes', 'private', 'home'],
  ].map((name) => `/${name}`),
);
const WINDOWS_SYSTEM_FOLDERS = new Set(['windows', 'program files', 'program files (x86)', 'programdata', 'users']);

/** Why a folder is too broad to open (its every file would become readable through the image route), or null. */
async function tooBroad(folder: string): Promise<string | null> {
  const real = await realpath(folder).catch(() => resolve(folder));
  const { root, dir, base } = parse(real);
  if (real === root) return 'the root of a disk';
  const home = await realpath(homedir()).catch(() => homedir());
  if (inside(real, home)) return real === home ? 'your home folder' : 'a folder above your home folder';
  if (SYSTEM_FOLDERS.has(real)) return 'a system folder';
  if (dir === root && /^[a-z]:\\$/i.test(root) && WINDOWS_SYSTEM_FOLDERS.has(base.toLowerCase())) return 'a system folder';
  return null;
}

/**
 * Refuses a dataset folder or workspace that is a disk root, the home folder (or above it) or a top-level system
 * folder: everything under the open dataset and workspace is readable by the renderer, so `/` would serve the disk.
 */
export async function assertDataFolder(path: string, what: 'dataset folder' | 'workspace'): Promise<void> {
  const why = await tooBroad(path);
  if (why) throw new PathRefusedError(`${path} is ${why}: open a ${what} of its own (a folder that holds only the ${what === 'workspace' ? 'workspace' : 'photos and their annotations'})`);
}

/**
 * The transports' check on a request before the service sees it: openDataset or addSource naming a disk root, the
 * home folder or a system folder as dataset or workspace is refused. (Raw request: the contract validates the rest after.)
 */
export async function checkRequest(channel: string, request: unknown): Promise<void> {
  if (typeof request !== 'object' || request === null) return;
  if (channel === 'openWorkspace') {
    const { path } = request as { path?: unknown };
    if (typeof path === 'string' && path.trim()) await assertDataFolder(path, 'workspace');
    return;
  }
  if (channel === 'addSource') {
    const { path } = request as { path?: unknown };
    if (typeof path === 'string' && path.trim()) await assertDataFolder(path, 'dataset folder');
    return;
  }
  if (channel !== 'openDataset') return;
  const { path, options } = request as { path?: unknown; options?: { workspace?: unknown } };
  if (typeof path === 'string' && path.trim()) await assertDataFolder(path, 'dataset folder');
  const workspace = typeof options === 'object' && options !== null ? options.workspace : undefined;
  if (typeof workspace === 'string' && workspace.trim()) await assertDataFolder(workspace, 'workspace');
}

/**
 * An error message as the renderer may see it: never any content of a file. JSON.parse quotes the text around
 * a syntax error (`Unexpected token 'r', "root:x:0:0:"... is not valid JSON`), so a label map pointed at any file
 * would echo its first bytes; a zone table's header complaint lists the first line's cells. Both are cut.
 */
export function publicMessage(message: string): string {
  return message
    .replace(/Unexpected token '[\s\S]*?', "[\s\S]*"(?:\.\.\.)? is not valid JSON/g, 'unexpected content: not valid JSON')
    .replace(/"[\s\S]*"(?:\.\.\.)? is not valid JSON/g, 'not valid JSON')
    .replace(/ \(found: [^\n]*\)/g, '');
}
