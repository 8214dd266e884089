import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { mapLimit } from './concurrency';
import { probeImage } from './image-probe';
import { readLabelMe } from './labelme';
import { readLabelMap, type LabelMap } from './label-map';
import type { Dataset, Photo, PhotoState, Problem } from './model';
import { sizeScale } from './seed-convention';
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

const IMAGE = /\.(jpe?g|png)$/i;

/** A plain LabelMe folder: images with a JSON of the same name beside them, a label map and a zone table. */
export async function loadLabelMeFolder(root: string, options: LabelMeFolderOptions = {}): Promise<Dataset> {
  const names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  const labelMapPath = options.labelMap ?? inFolder(root, 'labelmap.json');
  const zonesPath = options.zones ?? inFolder(root, 'zones.csv');
  const labelMap: LabelMap = labelMapPath ? await readLabelMap(labelMapPath) : new Map();
  const zoneTable = zonesPath ? await readZoneTable(zonesPath) : { zones: new Map(), problems: [] };
  const problems: Problem[] = [...zoneTable.problems];

  // a.jpg and a.png would both be photo 'a' paired with a.json; the first in name order wins.
  const images: string[] = [];
  const imageStems = new Set<string>();
  for (const image of names.filter((n) => IMAGE.test(n))) {
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
    if (!imageStems.has(stem(json))) {
      problems.push({ file: json, severity: 'error', code: 'image_missing', message: `no image ${stem(json)}.jpg/.jpeg/.png beside this annotation (file skipped)` });
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
    return loadPhoto(root, image, jsonNames.has(json) ? json : null, classify, zoneTable.zones.get(image) ?? null, { ...options, damageRule });
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
  if (!json) {
    if (options.state === 'damaged') {
      return { photo: null, problems: [{ file: image, severity: 'error', code: 'annotation_missing', message: `no annotation ${stem(image)}.json for a damaged photo (photo skipped)` }] };
    }
    problems.push({ file: image, severity: 'warning', code: 'annotation_missing', message: `no annotation ${stem(image)}.json; kept as a photo without shapes` });
  } else {
    const annotation = await readLabelMe(join(root, json));
    if (!annotation.ok) return { photo: null, problems: [{ file: json, severity: 'error', code: annotation.code, message: `${annotation.message} (photo skipped)` }] };
    const scale = sizeScale(annotation.file, probe, json, problems);
    const converted = convertShapes(annotation.file.shapes, probe, classify, json, scale);
    problems.push(...converted.problems);
    shapes = converted.shapes;
  }
  const hasDamage = shapes.some((s) => s.damageType !== null);
  const state: PhotoState = options.state ?? (hasDamage ? 'damaged' : 'undamaged');
  if (state === 'damaged' && !hasDamage) {
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
