import { basename, join } from 'node:path';
import { annotationToPhoto } from './annotation-frame';
import { mapLimit } from './concurrency';
import { listDatasetFiles, loadFailure, SUPPORTED_IMAGE, unsupportedImageFormat, unsupportedImageProblem } from './dataset-files';
import { probeImage } from './image-probe';
import { readLabelMe } from './labelme';
import { decideState, readLabelling, type LabellingOptions } from './labelling';
import type { Dataset, Photo, Problem } from './model';
import { convertShapes, type LabelClass } from './shapes';

export interface LabelMeFolderOptions extends LabellingOptions {
  maxPixels?: number;
}

const READABLE = 'JPEG, PNG, WebP, TIFF, AVIF';

/** A plain LabelMe folder: images with a JSON of the same name beside them, a label map and a zone table. */
export async function loadLabelMeFolder(root: string, options: LabelMeFolderOptions = {}): Promise<Dataset> {
  const names = await listDatasetFiles(root);
  const { labelMapPath, zonesPath, zones, classify, damageRule, problems: zoneProblems } = await readLabelling(root, options);
  const problems: Problem[] = [...zoneProblems];
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
  const loaded = await mapLimit(images, async (image) => {
    const json = `${stem(image)}.json`;
    // One photo's unexpected failure (a bug, an I/O error mid-read) must not abort the scan: it becomes its problem.
    return loadPhoto(root, image, jsonNames.has(json) ? json : null, classify, zones.get(image) ?? null, { ...options, damageRule }).catch(
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
  const state = decideState(shapes, droppedDamage, options.state, options.damageRule, json ?? image, problems);
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
