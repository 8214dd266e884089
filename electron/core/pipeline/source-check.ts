import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadDataset } from '../dataset/load';
import type { Dataset, PhotoState } from '../dataset/model';

/** A folder to add as a source, with how to read it (label map and zone table as given, else the folder's own). */
export interface SourceSettings {
  path: string;
  state?: PhotoState;
  labelMap?: string;
  zones?: string;
}

async function requireFile(path: string, what: string): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${what} ${path}: ${error.code === 'ENOENT' ? 'not found' : `cannot be read (${error.code ?? error.message})`}`);
  });
  if (!info.isFile()) throw new Error(`${what} ${path}: a folder, not a file`);
}

/**
 * Checks that a folder can become a source, reading it as phase 1 will, before anything is written: it exists and
 * is a folder, its label map and zone table are readable and valid (the loader refuses a bad one, naming it), and
 * it holds at least one photo it can read. Returns the settings with absolute paths and the loaded folder.
 */
export async function checkSourceFolder(settings: SourceSettings): Promise<{ source: SourceSettings; dataset: Dataset }> {
  const path = resolve(settings.path);
  const info = await stat(path).catch(() => null);
  if (!info) throw new Error(`dataset folder not found: ${path}`);
  if (!info.isDirectory()) throw new Error(`not a folder: ${path} (a source is a folder of photos and their annotations)`);
  const source: SourceSettings = { path, state: settings.state };
  // A bare file name is the one in the dataset folder, as the app's open form reads it.
  if (settings.labelMap !== undefined) await requireFile((source.labelMap = resolve(path, settings.labelMap)), 'label map');
  if (settings.zones !== undefined) await requireFile((source.zones = resolve(path, settings.zones)), 'zone table');
  const dataset = await loadDataset(path, { state: source.state, labelMap: source.labelMap, zones: source.zones });
  if (dataset.photos.length === 0) {
    const first = dataset.problems.find((p) => p.severity === 'error');
    const why = first ? `; ${dataset.problems.length} file problem(s), the first: ${first.file}: ${first.message}` : '';
    throw new Error(`${path}: no photo that can be read (JPEG, PNG, WebP, TIFF, AVIF with LabelMe annotations)${why}`);
  }
  return { source: Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)) as SourceSettings, dataset };
}
