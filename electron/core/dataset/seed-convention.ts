import { join } from 'node:path';
import { SEED_LABELS } from '../domain/damage-types';
import { isZoneId, type ZoneId } from '../domain/zones';
import { annotationToPhoto } from './annotation-frame';
import { mapLimit } from './concurrency';
import { listDatasetFiles, loadFailure, SUPPORTED_IMAGE, unsupportedImageFormat, unsupportedImageProblem } from './dataset-files';
import { probeImage } from './image-probe';
import { readLabelMe } from './labelme';
import type { Dataset, Photo, PhotoState, Problem } from './model';
import { convertShapes, noDamageMessage, type LabelClass } from './shapes';

/** `zona1_{ko|ok}_2_3_{timestamp}_zona_{Z}_` + one of the three suffixes (domain.md). */
const SEED_NAME = /^zona1_(ko|ok)_2_3_(.+)_zona_(\d+)_(imageDANO_original\.jpe?g|imageDANO_original\.json|labelDANO_modificado\.json)$/i;

export interface SeedName {
  stem: string;
  state: PhotoState;
  timestamp: string;
  zone: number;
  kind: 'image' | 'ground_truth' | 'segmentation';
}

export function parseSeedName(fileName: string): SeedName | null {
  const match = SEED_NAME.exec(fileName);
  if (!match) return null;
  const [, state, timestamp, zone, suffix] = match as unknown as [string, string, string, string, string];
  const kind = /\.jpe?g$/i.test(suffix) ? 'image' : /^imageDANO/i.test(suffix) ? 'ground_truth' : 'segmentation';
  return {
    stem: fileName.slice(0, fileName.length - suffix.length),
    state: state.toLowerCase() === 'ko' ? 'damaged' : 'undamaged',
    timestamp,
    zone: Number(zone),
    kind,
  };
}

/** Whether a folder is in the seed convention: at least one photo named by it. */
export function looksLikeSeedConvention(fileNames: string[]): boolean {
  return fileNames.some((name) => parseSeedName(name)?.kind === 'image');
}

/** Labels "1".."8" are damage; "9" is a known non-damage label; anything else is kept but reported. */
function classifySeedLabel(label: string): LabelClass {
  const damageType = SEED_LABELS[label.trim()] ?? null;
  return { damageType, known: damageType !== null || label.trim() === '9' };
}

interface SeedGroup {
  stem: string;
  image?: string;
  groundTruth?: string;
  segmentation?: string;
  name: SeedName;
}

/** The format of an image that is not a seed photo by its type: anything but JPEG (a PNG is a bad name, as before). */
function nonJpegPhotoFormat(fileName: string): string | null {
  if (/\.(jpe?g|png)$/i.test(fileName)) return null;
  return unsupportedImageFormat(fileName) ?? (SUPPORTED_IMAGE.test(fileName) ? fileName.replace(/^.*\./, '').toUpperCase() : null);
}

export async function loadSeedDataset(root: string, maxPixels?: number): Promise<Dataset> {
  const problems: Problem[] = [];
  const groups = new Map<string, SeedGroup>();
  for (const fileName of await listDatasetFiles(root)) {
    const name = parseSeedName(fileName);
    const format = nonJpegPhotoFormat(fileName);
    if (format) {
      problems.push(unsupportedImageProblem(fileName, format, 'seed-convention photos are JPEG: …_imageDANO_original.jpg'));
      continue;
    }
    if (!name) {
      if (/\.(jpe?g|png|json)$/i.test(fileName)) {
        problems.push({
          file: fileName,
          severity: 'error',
          code: 'bad_name',
          message: 'the name does not follow zona1_{ko|ok}_2_3_{timestamp}_zona_{1-10}_… (file skipped)',
        });
      }
      continue;
    }
    const group = groups.get(name.stem) ?? { stem: name.stem, name };
    if (name.kind === 'image') {
      // Both …original.jpg and …original.jpeg would be one photo id; the first in name order wins.
      if (group.image) {
        const [kept, dropped] = [group.image, fileName].sort() as [string, string];
        group.image = kept;
        problems.push({ file: dropped, severity: 'error', code: 'duplicate_photo', message: `same photo id as ${kept} (file skipped)` });
      } else {
        group.image = fileName;
      }
      group.name = name;
    } else if (name.kind === 'ground_truth') group.groundTruth = fileName;
    else group.segmentation = fileName;
    groups.set(name.stem, group);
  }

  const sorted = [...groups.values()].sort((a, b) => a.stem.localeCompare(b.stem));
  const loaded = await mapLimit(sorted, (group) =>
    // One photo's unexpected failure must not abort the scan: it becomes that photo's problem.
    loadSeedPhoto(root, group, maxPixels).catch((error: Error) => ({ photo: null, problems: [loadFailure(group.image ?? group.segmentation ?? group.stem, error)] })),
  );
  const photos: Photo[] = [];
  for (const result of loaded) {
    problems.push(...result.problems);
    if (result.photo) photos.push(result.photo);
  }
  return { root, format: 'seed', photos, problems };
}

async function loadSeedPhoto(
  root: string,
  group: SeedGroup,
  maxPixels: number | undefined,
): Promise<{ photo: Photo | null; problems: Problem[] }> {
  const problems: Problem[] = [];
  const skip = (file: string, code: Problem['code'], message: string) => {
    problems.push({ file, severity: 'error', code, message });
    return { photo: null, problems };
  };
  if (!group.image) {
    for (const json of [group.groundTruth, group.segmentation].filter((f): f is string => Boolean(f))) {
      problems.push({ file: json, severity: 'error', code: 'image_missing', message: `its photo ${group.stem}imageDANO_original.jpg is missing` });
    }
    return { photo: null, problems };
  }
  const { name } = group;
  if (!isZoneId(name.zone)) return skip(group.image, 'bad_name', `zone ${name.zone} is not a vehicle zone (1-10) (photo skipped)`);
  if (name.state === 'damaged' && !group.segmentation) {
    return skip(group.image, 'segmentation_missing', `damaged (ko) photo without its segmentation ${group.stem}labelDANO_modificado.json (photo skipped)`);
  }
  const probe = await probeImage(join(root, group.image), maxPixels);
  if (!probe.ok) return skip(group.image, probe.code, `${probe.message} (photo skipped)`);

  if (!group.groundTruth) {
    problems.push({ file: group.image, severity: 'warning', code: 'annotation_missing', message: `ground truth ${group.stem}imageDANO_original.json is missing; the state is taken from the name` });
  } else {
    const truth = await readLabelMe(join(root, group.groundTruth));
    if (!truth.ok) problems.push({ file: group.groundTruth, severity: 'warning', code: truth.code, message: `${truth.message}; the state is taken from the name` });
  }

  const annotationFiles = [group.groundTruth, name.state === 'damaged' ? group.segmentation : undefined].filter((f): f is string => Boolean(f)).map((f) => join(root, f));
  let shapes: Photo['shapes'] = [];
  let droppedDamage = false;
  // An ok photo is undamaged by its name; damage shapes on it would contradict that, so a stray segmentation is ignored.
  if (group.segmentation && name.state === 'undamaged') {
    problems.push({ file: group.segmentation, severity: 'warning', code: 'unexpected_segmentation', message: 'segmentation for an undamaged (ok) photo; ignored, the photo keeps no shapes' });
  } else if (group.segmentation) {
    const segmentation = await readLabelMe(join(root, group.segmentation));
    if (!segmentation.ok) return skip(group.segmentation, segmentation.code, `${segmentation.message} (photo skipped)`);
    const toPhoto = annotationToPhoto(segmentation.file, probe, group.segmentation, problems);
    const converted = convertShapes(segmentation.file.shapes, probe, classifySeedLabel, group.segmentation, toPhoto);
    droppedDamage = converted.droppedDamage;
    for (const problem of converted.problems) problems.push(problem); // no spread: one problem per shape, and shapes can be many
    for (const label of converted.unknownLabels) {
      problems.push({ file: group.segmentation, severity: 'warning', code: 'unknown_label', message: `label '${label}' is not a damage type (1-8) nor 9; kept as a non-damage shape` });
    }
    shapes = converted.shapes;
  }
  // A dropped damage shape (a point, no area) has its own problem saying it yields no crop.
  if (name.state === 'damaged' && !shapes.some((s) => s.damageType) && !droppedDamage) {
    problems.push({ file: group.segmentation ?? group.image, severity: 'warning', code: 'no_damage_shapes', message: noDamageMessage(shapes, 'labels 1-8') });
  }
  const photo: Photo = {
    id: group.image.replace(/\.[^.]+$/, ''),
    imagePath: join(root, group.image),
    fileName: group.image,
    state: name.state,
    zone: name.zone as ZoneId,
    timestamp: name.timestamp,
    width: probe.width,
    height: probe.height,
    shapes,
    annotationFiles,
  };
  return { photo, problems };
}
