import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { Dataset, PhotoState } from '../core/dataset/model';
import { assertDataFolder } from './path-guard';

/** A folder or file named in an open form that cannot be used as it is: the user's to fix, said in plain words. */
export class OpenRefusedError extends Error {
  override name = 'OpenRefusedError';
}

/** `~` and `~/…` are the home folder, as in a shell; other paths are left as typed. */
const expandHome = (path: string): string => (path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path);

/**
 * The full path of a dataset folder or workspace typed into an open form. A relative path is refused rather than
 * read against the app's working folder, which the user neither sees nor chose; the message shows the full path
 * it most likely means (from the home folder) so it can be typed back. The result passes the same too-broad check
 * as the transports' (which saw the path before `~` was expanded).
 */
export async function fullFolderPath(typed: string, what: 'dataset folder' | 'workspace'): Promise<string> {
  const path = expandHome(typed.trim());
  if (!isAbsolute(path)) {
    throw new OpenRefusedError(`the ${what} '${typed}' is not a full path: type the whole path from the top, e.g. ${join(homedir(), path)} (or ~/${path})`);
  }
  await assertDataFolder(path, what);
  return resolve(path);
}

/**
 * A label map or zone table named in the form: a bare name or relative path is taken from the dataset folder (the
 * form says so); it must be a file that exists, else the error names the path that was looked at.
 */
export async function besideDataset(folder: string, file: string | undefined, what: 'label map' | 'zone table'): Promise<string | undefined> {
  if (file === undefined || !file.trim()) return undefined;
  const path = resolve(folder, expandHome(file.trim()));
  const info = await stat(path).catch(() => null);
  const example = what === 'label map' ? 'labelmap.json' : 'zones.csv';
  if (!info) throw new OpenRefusedError(`${what} ${path} not found: name a file in the dataset folder (e.g. ${example}) or give its full path`);
  if (!info.isFile()) throw new OpenRefusedError(`${what} ${path} is a folder, not a file: name the ${what} file itself (e.g. ${example})`);
  return path;
}

const PHOTOS = 'JPEG, PNG, WebP, TIFF or AVIF photos with a LabelMe .json beside each';

/** Refuses a dataset with no photo, saying what the folder holds instead (nothing, only sub-folders, other files). */
export async function assertHasPhotos(dataset: Dataset, folder: string): Promise<void> {
  if (dataset.photos.length > 0) return;
  const entries = (await readdir(folder, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const files = entries.length - folders.length;
  if (entries.length === 0) throw new OpenRefusedError(`the dataset folder ${folder} is empty: choose the folder that holds the ${PHOTOS}`);
  if (files === 0) {
    const listed = folders.slice(0, 3).join(', ') + (folders.length > 3 ? ', …' : '');
    throw new OpenRefusedError(`${folder} holds no photos itself, only ${folders.length === 1 ? 'the folder' : 'folders'} ${listed}: open the one that holds the photos`);
  }
  const first = dataset.problems.find((p) => p.severity === 'error');
  const refused = first ? `; ${dataset.problems.filter((p) => p.severity === 'error').length} files were refused, e.g. ${basename(first.file)}: ${first.message}` : '';
  throw new OpenRefusedError(`${folder} holds no photo CarLens can read (${files} ${files === 1 ? 'file' : 'files'}; expected ${PHOTOS})${refused}`);
}

/**
 * The dataset an open form names: its folder as a full path, the label map and zone table found (relative to the
 * folder), loaded and holding at least one photo. `read` is how it was read, for reopening it the same way.
 */
export async function loadFormDataset(
  typed: string,
  options: { labelMap?: string; zones?: string; state?: PhotoState },
): Promise<{ path: string; dataset: Dataset; read: { labelMap?: string; zones?: string; state?: PhotoState } }> {
  const { loadDataset } = await import('../core/dataset/load');
  const path = await fullFolderPath(typed, 'dataset folder');
  const read = { labelMap: await besideDataset(path, options.labelMap, 'label map'), zones: await besideDataset(path, options.zones, 'zone table'), state: options.state };
  const dataset = await loadDataset(path, read);
  await assertHasPhotos(dataset, path);
  return { path, dataset, read };
}
