import { basename, resolve } from 'node:path';
import type { Dataset, PhotoState } from '../dataset/model';
import { sharedDir } from '../models/paths';

/** One folder to ingest, with how to read it (see loadDataset's options). */
export interface DatasetSource {
  path: string;
  labelMap?: string;
  zones?: string;
  state?: PhotoState;
  /** The photo-id prefix a workspace recorded for the folder (see WorkspaceSource.prefix); absent: the default. */
  prefix?: string | null;
}

/**
 * The main job's default: the real shared data, damaged (bilgi + flickr) and undamaged (car-parts).
 * labelmap.json / zones.csv beside each folder are picked up by the loader.
 */
export function defaultSources(): DatasetSource[] {
  const datasets = resolve(sharedDir(), 'datasets');
  return [
    { path: resolve(datasets, 'bilgi-car-damage'), state: 'damaged' },
    { path: resolve(datasets, 'flickr-car-damage-parts'), state: 'damaged' },
    { path: resolve(datasets, 'car-parts-undamaged'), state: 'undamaged' },
  ];
}

/**
 * Joins several loaded folders into one dataset for the phases. Photo ids are prefixed with the folder name when
 * more than one folder is given, since plain LabelMe folders reuse names like `1.jpg`; problem paths likewise.
 * `prefixes` (a workspace's recorded ones, see WorkspaceSource.prefix) override that per folder: null keeps the
 * plain ids, so a workspace's ids stay what they were when a source is added or removed.
 */
export function mergeDatasets(datasets: Dataset[], prefixes?: readonly (string | null)[]): Dataset {
  if (datasets.length === 0) throw new Error('no dataset to merge');
  const chosen = datasets.map((d, i) => (prefixes ? prefixes[i] ?? null : datasets.length > 1 ? basename(d.root) : null));
  if (datasets.length === 1 && chosen[0] === null) return datasets[0]!;
  const named = chosen.filter((p): p is string => p !== null);
  const duplicate = named.find((p, i) => named.indexOf(p) !== i);
  if (duplicate) throw new Error(`two dataset folders share the name '${duplicate}'; rename one`);
  const id = (i: number, value: string) => (chosen[i] === null ? value : `${chosen[i]}__${value}`);
  const file = (i: number, value: string) => (chosen[i] === null ? value : `${chosen[i]}/${value}`);
  return {
    root: datasets.map((d) => d.root).join(','),
    // Folders of one format keep it (seed, LabelMe or COCO); a mix is described as plain LabelMe.
    format: datasets.length > 0 && datasets.every((d) => d.format === datasets[0]!.format) ? datasets[0]!.format : 'labelme',
    photos: datasets.flatMap((d, i) => d.photos.map((photo) => ({ ...photo, id: id(i, photo.id), fileName: file(i, photo.fileName) }))),
    problems: datasets.flatMap((d, i) => d.problems.map((p) => ({ ...p, file: file(i, p.file) }))),
  };
}
