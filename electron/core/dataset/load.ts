import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cocoAnnotationFiles, loadCocoFolder } from './coco-folder';
import { loadLabelMeFolder } from './labelme-folder';
import type { Dataset, PhotoState } from './model';
import { loadSeedDataset, looksLikeSeedConvention } from './seed-convention';

export interface LoadOptions {
  /** Path to labelmap.json (plain LabelMe and COCO folders). */
  labelMap?: string;
  /** Path to zones.csv (plain LabelMe and COCO folders). */
  zones?: string;
  /** Plain LabelMe and COCO folders: every photo's state. */
  state?: PhotoState;
  /** Pixel limit per image (decompression bombs). */
  maxPixels?: number;
}

/**
 * Reads a dataset folder into the one dataset model. The seed naming convention is recognised by its file
 * names, a COCO folder by its annotation file (`_annotations.coco.json`, `coco.json`, …); anything else is read as
 * a plain LabelMe folder. Bad files become problems; only an unreadable folder throws.
 */
export async function loadDataset(root: string, options: LoadOptions = {}): Promise<Dataset> {
  const folder = resolve(root);
  const info = await stat(folder).catch(() => null);
  if (!info) throw new Error(`dataset folder not found: ${folder}`);
  if (!info.isDirectory()) throw new Error(`not a folder: ${folder}`);
  const names = await readdir(folder);
  if (looksLikeSeedConvention(names)) return loadSeedDataset(folder, options.maxPixels);
  const cocoFiles = cocoAnnotationFiles(names);
  if (cocoFiles.length > 0) return loadCocoFolder(folder, cocoFiles, options);
  return loadLabelMeFolder(folder, options);
}
