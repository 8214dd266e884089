import type { Dirent } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_FILE_PATTERN } from './atomic-write';

/**
 * Folders written only under the workspace lock (the phases' outputs and the review journal), and how deep their
 * files lie (crops/images, <phase>/gen-<n>). Dropped query photos (queries/), scan.json, the model cache and
 * fixtures are written without the lock, so a temp file there may belong to a live writer and is left alone.
 */
const LOCKED_FOLDERS = ['crops', 'contexts', 'review', 'embeddings', 'index', 'validation'];
const DEPTH = 2;
/** Files at the workspace root written under the lock. */
const LOCKED_ROOT_FILES = ['workspace.json', '.carlens.lock-holder.json'];

/**
 * Removes the temp files of atomic writes that a killed writer never renamed. Called by the holder of the
 * workspace lock as it takes it: no other writer of these folders can be running, so every such file is a
 * leftover. Returns the paths removed.
 */
export async function removeLeftovers(root: string): Promise<string[]> {
  const removed: string[] = [];
  const rootTemps = (await entries(root)).filter((e) => e.isFile() && LOCKED_ROOT_FILES.some((name) => e.name.startsWith(`.${name}.`)));
  for (const e of rootTemps) if (TEMP_FILE_PATTERN.test(e.name)) removed.push(join(root, e.name));
  for (const folder of LOCKED_FOLDERS) removed.push(...(await tempFilesUnder(join(root, folder), DEPTH)));
  await Promise.all(removed.map((path) => rm(path, { force: true })));
  return removed;
}

async function tempFilesUnder(dir: string, depth: number): Promise<string[]> {
  const found: string[] = [];
  for (const e of await entries(dir)) {
    if (e.isFile() && TEMP_FILE_PATTERN.test(e.name)) found.push(join(dir, e.name));
    else if (e.isDirectory() && depth > 1) found.push(...(await tempFilesUnder(join(dir, e.name), depth - 1)));
  }
  return found;
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}
