import { basename, resolve } from 'node:path';
import type { Dataset, PhotoState } from '../dataset/model';
import { sharedDir } from '../models/paths';

/** One folder to ingest, with how to read it (see loadDataset's options). */
export interface DatasetSource {
  path: string;
  labelMap?: string;
  zones?: string;
  state?: PhotoState;
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
 */
export function mergeDatasets(datasets: Dataset[]): Dataset {
  if (datasets.length === 1) return datasets[0]!;
  if (datasets.length === 0) throw new Error('no dataset to merge');
  const prefixes = datasets.map((d) => basename(d.root));
  const duplicate = prefixes.find((p, i) => prefixes.indexOf(p) !== i);
  if (duplicate) throw new Error(`two dataset folders share the name '${duplicate}'; rename one`);
  return {
    root: datasets.map((d) => d.root).join(','),
    format: datasets.every((d) => d.format === 'seed') ? 'seed' : 'labelme',
    photos: datasets.flatMap((d, i) =>
      d.photos.map((photo) => ({ ...photo, id: `${prefixes[i]}__${photo.id}`, fileName: `${prefixes[i]}/${photo.fileName}` })),
    ),
    problems: datasets.flatMap((d, i) => d.problems.map((p) => ({ ...p, file: `${prefixes[i]}/${p.file}` }))),
  };
}
