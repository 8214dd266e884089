import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { annotationToPhoto } from './annotation-frame';
import { mapLimit } from './concurrency';
import { listDatasetFiles, loadFailure, SUPPORTED_IMAGE, unsupportedImageFormat, unsupportedImageProblem } from './dataset-files';
import { probeImage } from './image-probe';
import { readLabelMe } from './labelme';
import { readLabelMap, type LabelMap } from './label-map';
import type { Dataset, Photo, PhotoState, Problem } from './model';
import { convertShapes, noDamageMessage, type LabelClass } from './shapes';
import { readZoneTable } from './zone-table';

export interface LabelMeFolderOptions {
  /** labelmap.json; default: the one in the folder, if any. Without one, no label is damage. */
  labelMap?: string;
  /** zones.csv; default: the one in the folder, if any. */
  zones?: string;
  /** The state of every photo; default: a photo with damage shapes is damaged. */
  state?: PhotoState;
  maxPixels?: number;
}

const READABLE = 'JPEG, PNG, WebP, TIFF, AVIF';

/** A plain LabelMe folder: images with a JSON of the same name beside them, a label map and a zone table. */
export async function loadLabelMeFolder(root: string, options: LabelMeFolderOptions = {}): Promise<Dataset> {
  const names = await listDatasetFiles(root);
  const labelMapPath = options.labelMap ?? inFolder(root, 'labelmap.json');
  const zonesPath = options.zones ?? inFolder(root, 'zones.csv');
  const labelMap: LabelMap = labelMapPath ? await readLabelMap(labelMapPath) : new Map();
  const zoneTable = zonesPath ? await readZoneTable(zonesPath) : { zones: new Map(), problems: [] };
  const problems: Problem[] = [...zoneTable.problems];
  const unsupportedStems = new Set<string>();
  for (const name of names) {
    const format = unsupportedImageFormat(name);
    if (!format) continue;
    problems.push(unsupportedImageProblem(name, format, READABLE));
    unsupportedStems.add(stem(name));
  }

  // a.jpg and a.png would both be photo 'a' paired with a.json; the first in name order wins.
  const images: string[] = [];
  const imageStems = new Set<string>();
  for (const image of names.filter((n) => SUPPORTED_IMAGE.test(n))) {
    if (imageStems.has(stem(image))) {
      const kept = images.find((i) => stem(i) === stem(image))!;
      problems.push({ file: image, severity: 'error', code: 'duplicate_photo', message: `same photo id '${stem(image)}' as ${kept} (file skipped)` });
      continue;
    }
    images.push(image);
    imageStems.add(stem(image));
  }
  const helperFiles = new Set(['labelmap.json', basename(labelMapPath ?? ''), basename(zonesPath ?? '')]);
  for (const json of names.filter((n) => n.toLowerCase().endsWith('.json') && !helperFiles.has(n))) {
    // The annotation of a photo in an unsupported format is not a second problem: the photo's says it all.
    if (!imageStems.has(stem(json)) && !unsupportedStems.has(stem(json))) {
      problems.push({ file: json, severity: 'error', code: 'image_missing', message: `no image ${stem(json)} (${READABLE}) beside this annotation (file skipped)` });
    }
  }

  const jsonNames = new Set(names.filter((n) => n.toLowerCase().endsWith('.json')));
  // Labels absent from the map (car parts, …) are normal in such folders: not damage, and not a per-file problem.
  const classify = (label: string): LabelClass => ({
    damageType: options.state === 'undamaged' ? null : (labelMap.get(label) ?? null),
    known: true,
  });
  const damageRule = labelMapPath ? `per ${basename(labelMapPath)}` : 'there is no labelmap.json, so no label is damage';
  const loaded = await mapLimit(images, async (image) => {
    const json = `${stem(image)}.json`;
    // One photo's unexpected failure (a bug, an I/O error mid-read) must not abort the scan: it becomes its problem.
    return loadPhoto(root, image, jsonNames.has(json) ? json : null, classify, zoneTable.zones.get(image) ?? null, { ...options, damageRule }).catch(
      (error: Error) => ({ photo: null, problems: [loadFailure(image, error)] }),
    );
  });
  const photos: Photo[] = [];
  for (const result of loaded) {
    problems.push(...result.problems);
    if (result.photo) photos.push(result.photo);
  }
  return { root, format: 'labelme', photos, problems };
}

async function loadPhoto(
  root: string,
  image: string,
  json: string | null,
  classify: (label: string) => LabelClass,
  zone: Photo['zone'],
  options: LabelMeFolderOptions & { damageRule: string },
): Promise<{ photo: Photo | null; problems: Problem[] }> {
  const problems: Problem[] = [];
  const probe = await probeImage(join(root, image), options.maxPixels);
  if (!probe.ok) return { photo: null, problems: [{ file: image, severity: 'error', code: probe.code, message: `${probe.message} (photo skipped)` }] };

  let shapes: Photo['shapes'] = [];
  let droppedDamage = false;
  if (!json) {
    if (options.state === 'damaged') {
      return { photo: null, problems: [{ file: image, severity: 'error', code: 'annotation_missing', message: `no annotation ${stem(image)}.json for a damaged photo (photo skipped)` }] };
    }
    problems.push({ file: image, severity: 'warning', code: 'annotation_missing', message: `no annotation ${stem(image)}.json; kept as a photo without shapes` });
  } else {
    const annotation = await readLabelMe(join(root, json));
    if (!annotation.ok) return { photo: null, problems: [{ file: json, severity: 'error', code: annotation.code, message: `${annotation.message} (photo skipped)` }] };
    const toPhoto = annotationToPhoto(annotation.file, probe, json, problems);
    const converted = convertShapes(annotation.file.shapes, probe, classify, json, toPhoto);
    for (const problem of converted.problems) problems.push(problem); // no spread: one problem per shape, and shapes can be many
    shapes = converted.shapes;
    droppedDamage = converted.droppedDamage;
  }
  const hasDamage = shapes.some((s) => s.damageType !== null);
  // A damage shape that had to be dropped (a point, no area) still says the photo is damaged: passing it as
  // undamaged would teach that damage is clean car. Its shape's problem already says why it yields no crop.
  const state: PhotoState = options.state ?? (hasDamage || droppedDamage ? 'damaged' : 'undamaged');
  if (state === 'damaged' && !hasDamage && !droppedDamage) {
    problems.push({ file: json ?? image, severity: 'warning', code: 'no_damage_shapes', message: noDamageMessage(shapes, options.damageRule) });
  }
  return {
    photo: {
      id: stem(image),
      imagePath: join(root, image),
      fileName: image,
      state,
      zone,
      timestamp: null,
      width: probe.width,
      height: probe.height,
      shapes,
      annotationFiles: json ? [join(root, json)] : [],
    },
    problems,
  };
}

function stem(name: string): string {
  return name.replace(/\.[^.]+$/, '');
}

function inFolder(root: string, name: string): string | undefined {
  const path = join(root, name);
  return existsSync(path) ? path : undefined;
}
