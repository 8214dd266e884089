import { lstat } from 'node:fs/promises';
import { basename, isAbsolute, join, posix } from 'node:path';
import { annotationToPhoto } from './annotation-frame';
import { readCocoFile, isCocoFileName, type CocoAnnotation, type CocoImage } from './coco-file';
import { mapLimit } from './concurrency';
import { listDatasetFiles, loadFailure, SUPPORTED_IMAGE, unsupportedImageFormat, unsupportedImageProblem } from './dataset-files';
import { probeImage } from './image-probe';
import type { LabelMeShape } from './labelme';
import type { LabelMeFolderOptions } from './labelme-folder';
import { decideState, readLabelling, type Labelling } from './labelling';
import type { Dataset, Photo, Problem } from './model';
import { convertShapes } from './shapes';

const READABLE = 'JPEG, PNG, WebP, TIFF, AVIF';
/** Where images may also lie: COCO layouts often keep them in a folder beside the annotation file. */
const IMAGES_FOLDER = 'images';

/**
 * The COCO annotation files among a folder's names. A LabelMe JSON that happens to be called `coco.json` has its
 * photo `coco.jpg` beside it, so such a pair keeps the folder a LabelMe folder.
 */
export function cocoAnnotationFiles(names: readonly string[]): string[] {
  const imageStems = new Set(names.filter((n) => SUPPORTED_IMAGE.test(n) || unsupportedImageFormat(n)).map(stem));
  return names.filter((n) => isCocoFileName(n) && !imageStems.has(stem(n))).sort();
}

/** One image a COCO file names, found in the folder, with its annotations. */
interface Entry {
  /** The image's path relative to the dataset folder. */
  fileName: string;
  image: CocoImage;
  annotations: CocoAnnotation[];
  cocoFile: string;
}

/**
 * A folder with COCO annotation files (Roboflow exports) and the images they name, read like a LabelMe folder: the
 * categories' names are the labels (through labelmap.json), zones.csv and the photo-state rules are the same.
 */
export async function loadCocoFolder(root: string, cocoFiles: readonly string[], options: LabelMeFolderOptions = {}): Promise<Dataset> {
  const labelling = await readLabelling(root, options);
  const problems: Problem[] = [...labelling.problems];
  const entries: Entry[] = [];
  const listed = new Set<string>();
  const photoIds = new Map<string, string>();
  let everyFileRead = true;
  for (const cocoFile of cocoFiles) {
    const result = await readCocoFile(join(root, cocoFile), cocoFile);
    if (!result.ok) {
      problems.push(result.problem);
      everyFileRead = false;
      continue;
    }
    for (const problem of result.problems) problems.push(problem); // no spread: one problem per entry, and entries can be many
    for (const image of result.coco.images) {
      const located = await locateImage(root, image, cocoFile);
      if (typeof located !== 'string') {
        problems.push(located);
        continue;
      }
      listed.add(located);
      if (result.coco.spoiled.has(image.id)) continue;
      const format = unsupportedImageFormat(located);
      if (format) {
        problems.push(unsupportedImageProblem(located, format, READABLE));
        continue;
      }
      const id = stem(basename(located));
      const kept = photoIds.get(id);
      if (kept !== undefined) {
        problems.push({ file: located, severity: 'error', code: 'duplicate_photo', message: `same photo id '${id}' as ${kept} (file skipped)` });
        continue;
      }
      photoIds.set(id, located);
      entries.push({ fileName: located, image, annotations: result.coco.annotations.get(image.id) ?? [], cocoFile });
    }
  }
  // Which images a file that cannot be read names is unknown, so only a folder whose COCO files all read has strays.
  if (everyFileRead) {
    const named = cocoFiles.join(', ');
    for (const image of await imageFiles(root)) {
      if (listed.has(image)) continue;
      problems.push({ file: image, severity: 'error', code: 'image_not_listed', message: `not among the images of ${named} (file skipped)` });
    }
  }

  const loaded = await mapLimit(entries, (entry) =>
    // One photo's unexpected failure (a bug, an I/O error mid-read) must not abort the scan: it becomes its problem.
    loadCocoPhoto(root, entry, labelling, options).catch((error: Error) => ({ photo: null, problems: [loadFailure(entry.fileName, error)] })),
  );
  const photos: Photo[] = [];
  for (const result of loaded) {
    for (const problem of result.problems) problems.push(problem);
    if (result.photo) photos.push(result.photo);
  }
  return { root, format: 'coco', photos, problems };
}

/** The image's path relative to the folder (beside the COCO file, else in images/), or the problem of not finding it. */
async function locateImage(root: string, image: CocoImage, cocoFile: string): Promise<string | Problem> {
  const entry = `${image.fileName} (image id ${image.id})`;
  const normal = posix.normalize(image.fileName.replaceAll('\\', '/'));
  if (isAbsolute(image.fileName) || normal === '..' || normal.startsWith('../')) {
    return { file: cocoFile, severity: 'error', code: 'invalid_coco', message: `${entry} lies outside the dataset folder (entry skipped)` };
  }
  for (const candidate of [normal, `${IMAGES_FOLDER}/${normal}`]) {
    // lstat, not exists: a broken symbolic link is found here and then reported as unreadable, not as missing.
    if (await lstat(join(root, candidate)).then(() => true, () => false)) return candidate;
  }
  return { file: cocoFile, severity: 'error', code: 'image_missing', message: `${entry} is not in the folder nor in ${IMAGES_FOLDER}/ (entry skipped)` };
}

/** Image files (read or not) of the folder and of its images/ folder, relative to the folder. */
async function imageFiles(root: string): Promise<string[]> {
  const isImage = (name: string) => SUPPORTED_IMAGE.test(name) || unsupportedImageFormat(name) !== null;
  const top = (await listDatasetFiles(root)).filter(isImage);
  const inner = await listDatasetFiles(join(root, IMAGES_FOLDER)).catch(() => []);
  return [...top, ...inner.filter(isImage).map((name) => `${IMAGES_FOLDER}/${name}`)];
}

async function loadCocoPhoto(root: string, entry: Entry, labelling: Labelling, options: LabelMeFolderOptions): Promise<{ photo: Photo | null; problems: Problem[] }> {
  const { fileName, image, annotations, cocoFile } = entry;
  const problems: Problem[] = [];
  const probe = await probeImage(join(root, fileName), options.maxPixels);
  if (!probe.ok) return { photo: null, problems: [{ file: fileName, severity: 'error', code: probe.code, message: `${probe.message} (photo skipped)` }] };
  if (annotations.length === 0) {
    if (options.state === 'damaged') {
      return { photo: null, problems: [{ file: fileName, severity: 'error', code: 'annotation_missing', message: `${cocoFile} has no annotation for this damaged photo (photo skipped)` }] };
    }
    problems.push({ file: fileName, severity: 'warning', code: 'annotation_missing', message: `${cocoFile} has no annotation for it; kept as a photo without shapes` });
  }

  // Problems name the image, so the app shows them with the photo; their messages name the COCO file. A photo
  // without annotations has no frame to check.
  const frameProblems: Problem[] = [];
  const declared = { imageWidth: image.width ?? probe.width, imageHeight: image.height ?? probe.height };
  const toPhoto = annotations.length > 0 ? annotationToPhoto(declared, probe, fileName, frameProblems) : undefined;
  for (const problem of frameProblems) problems.push({ ...problem, message: `${cocoFile}: ${problem.message}` });

  const shapes: LabelMeShape[] = [];
  const names: string[] = [];
  for (const annotation of annotations) {
    const name = `${annotation.name} ('${annotation.label}') in ${cocoFile}`;
    const note = annotationNote(annotation, name);
    if (note) problems.push({ file: fileName, severity: 'warning', ...note });
    if (annotation.polygons.length > 0) {
      annotation.polygons.forEach((flat, k) => {
        shapes.push({ label: annotation.label, points: pairs(flat), shape_type: 'polygon' });
        names.push(annotation.polygons.length > 1 ? `${name}, polygon ${k + 1}` : name);
      });
    } else {
      // A bbox-only annotation (Roboflow's detection exports) or an RLE mask: the box is the damage's outline.
      const [x, y, w, h] = annotation.bbox!;
      shapes.push({ label: annotation.label, points: [[x, y], [x + w, y + h]], shape_type: 'rectangle' });
      names.push(name);
    }
  }
  const converted = convertShapes(shapes, probe, labelling.classify, fileName, toPhoto, (index) => names[index]!);
  for (const problem of converted.problems) problems.push(problem);
  const state = decideState(converted.shapes, converted.droppedDamage, options.state, labelling.damageRule, fileName, problems);
  return {
    photo: {
      id: stem(basename(fileName)),
      imagePath: join(root, fileName),
      fileName,
      state,
      zone: labelling.zones.get(fileName) ?? labelling.zones.get(image.fileName) ?? null,
      timestamp: null,
      width: probe.width,
      height: probe.height,
      shapes: converted.shapes,
      annotationFiles: [],
    },
    problems,
  };
}

/** The one warning an annotation read in a lesser form gets: a crowd region, or an RLE mask replaced by its box. */
function annotationNote(annotation: CocoAnnotation, name: string): Pick<Problem, 'code' | 'message'> | null {
  const outline = annotation.rle ? 'its RLE mask is not read here, so its bbox is used as a rectangle' : 'its outline is used';
  if (annotation.crowd) {
    // Kept, not ignored as COCO evaluation does: a clean window cut on a crowd of scratches would teach damage as clean.
    return { code: 'crowd_annotation', message: `${name} is a crowd region (iscrowd 1), kept as one area of several objects; ${outline}` };
  }
  if (annotation.rle) return { code: 'rle_segmentation', message: `${name}: ${outline}` };
  return null;
}

function pairs(flat: readonly number[]): [number, number][] {
  return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);
}

function stem(name: string): string {
  return name.replace(/\.[^.]+$/, '');
}
