import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadLabelMeFolder } from './labelme-folder';
import type { Dataset, PhotoState } from './model';
import { loadSeedDataset, looksLikeSeedConvention } from './seed-convention';

export interface LoadOptions {
  /** Path to labelmap.json (plain LabelMe folders). */
  labelMap?: string;
  /** Path to zones.csv (plain LabelMe folders). */
  zones?: string;
  /** Plain LabelMe folders: every photo's state. */
  state?: PhotoState;
  /** Pixel limit per image (decompression bombs). */
  maxPixels?: number;
}

/**
 * Reads a dataset folder into the one dataset model. The seed naming convention is recognised by its file
 * names; anything else is read as a plain LabelMe folder. Bad files become problems; only an unreadable
 * folder throws.
 */
export async function loadDataset(root: string, options: LoadOptions = {}): Promise<Dataset> {
  const folder = resolve(root);
  const info = await stat(folder).catch(() => null);
  if (!info) throw new Error(`dataset folder not found: ${folder}`);
  if (!info.isDirectory()) throw new Error(`not a folder: ${folder}`);
  const names = await readdir(folder);
  if (looksLikeSeedConvention(names)) return loadSeedDataset(folder, options.maxPixels);
  return loadLabelMeFolder(folder, options);
}
