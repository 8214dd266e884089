import type { BBox, Photo } from '../dataset/model';
import { DAMAGE_TYPES } from '../domain/damage-types';
import { seededRandom } from '../fixture/random';
import { groupPosition, splitPhotos } from '../split/split';
import { brier } from './binary-metrics';
import { withNeighbourhood } from './cell-context';
import { cellLabels } from './cell-labels';
import { analyseWith, photoFeatures, PHOTO_FEATURES, windowScore, type DamageMap, type HeadsFile } from './damage-model';
import type { FeatureMapExtractor } from './feature-maps';
import { predictHead, trainHead } from './head';
import type { DamageHeadsManifest } from './manifest';
import { scoringWindows } from './windows';

export interface TrainHeadsOptions {
  photos: readonly Photo[];
  manifest: DamageHeadsManifest;
  extractor: FeatureMapExtractor;
  /** The car box of a photo (null: none found), for the clean-car windows the threshold is set on. */
  carBox: (photo: Photo) => Promise<BBox | null>;
  seed?: number;
  /** Hidden units of the cell damage head (0 = logistic regression). */
  hidden?: number;
  epochs?: number;
  /** A cell is a damage example when polygons cover at least this share of it; clean examples are covered 0. */
  positiveCoverage?: number;
  /** Clean cells sampled per damaged photo; undamaged photos give `cleanPhotoBoost` times more. */
  negativesPerPhoto?: number;
  cleanPhotoBoost?: number;
  /** Share of the training claims kept aside to calibrate the photo probability and the window threshold. */
  calibrationShare?: number;
  /** Photo probabilities in this band are answered "uncertain". */
  uncertainBand?: [number, number];
  onProgress?: (message: string) => void;
}

const POSITIVE_TYPES = DAMAGE_TYPES.filter((t) => t !== 'unspecified_damage');

function damagePolygons(photo: Photo) {
  return photo.shapes.flatMap((s) => (s.damageType ? [{ points: s.points, damageType: s.damageType }] : []));
}

/** Concatenates row chunks into one n × dim matrix. */
function stack(chunks: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(chunks.length * dim);
  chunks.forEach((row, i) => out.set(row, i * dim));
  return out;
}

/**
 * The training side of the claim-grouped split, cut again by claim into the photos the cell heads learn from ("fit")
 * and those that calibrate the photo probability and the window threshold; held-out photos are never returned.
 */
export function trainingPartition(photos: readonly Photo[], calibrationShare: number): { fit: Photo[]; calibration: Photo[]; heldOut: number } {
  const assignments = splitPhotos(photos);
  const byId = new Map(photos.map((p) => [p.id, p]));
  const train = assignments.filter((a) => a.side === 'train');
  const isCalibration = (group: string) => groupPosition(`${group}#calibration`) < calibrationShare;
  return {
    fit: train.filter((a) => !isCalibration(a.group)).map((a) => byId.get(a.photoId)!),
    calibration: train.filter((a) => isCalibration(a.group)).map((a) => byId.get(a.photoId)!),
    heldOut: assignments.length - train.length,
  };
}

/**
 * Trains the damage-heads on the training part of the claim-grouped split only: cell damage and type heads on the
 * "fit" claims, then the photo-level calibration and the window threshold on the "calibration" claims, which the
 * cell heads never saw. Deterministic for a seed.
 */
export async function trainDamageHeads(options: TrainHeadsOptions): Promise<HeadsFile> {
  const { photos, manifest, extractor, carBox, seed = 1, hidden = 32, epochs = 6, positiveCoverage = 0.3, negativesPerPhoto = 60, cleanPhotoBoost = 3, calibrationShare = 0.25, uncertainBand = [0.3, 0.7], onProgress } = options;
  const started = Date.now();
  const { fit, calibration, heldOut } = trainingPartition(photos, calibrationShare);
  const random = seededRandom(seed);

  const damageRows: Float32Array[] = [];
  const damageLabels: number[] = [];
  const typeRows: Float32Array[] = [];
  const typeLabels: number[] = [];
  let dim = 0;
  for (const [i, photo] of fit.entries()) {
    const grid = await extractor.cells(photo.imagePath);
    const cells = withNeighbourhood(grid, manifest.neighbourhood);
    dim = cells.dim;
    const labels = cellLabels(damagePolygons(photo), grid.photoWidth, grid.photoHeight, grid.cols, grid.rows);
    const row = (c: number) => cells.data.slice(c * dim, (c + 1) * dim);
    const clean: number[] = [];
    for (let c = 0; c < grid.cols * grid.rows; c++) {
      if (labels.coverage[c]! >= positiveCoverage) {
        damageRows.push(row(c));
        damageLabels.push(1);
        const type = labels.type[c]! >= 0 ? DAMAGE_TYPES[labels.type[c]!]! : null;
        const typeIndex = type ? POSITIVE_TYPES.indexOf(type as (typeof POSITIVE_TYPES)[number]) : -1;
        if (typeIndex >= 0) {
          typeRows.push(damageRows[damageRows.length - 1]!);
          typeLabels.push(typeIndex);
        }
      } else if (labels.coverage[c] === 0) clean.push(c);
    }
    const quota = Math.min(clean.length, photo.state === 'undamaged' ? negativesPerPhoto * cleanPhotoBoost : negativesPerPhoto);
    for (let k = 0; k < quota; k++) {
      damageRows.push(row(clean[Math.floor(random() * clean.length)]!));
      damageLabels.push(0);
    }
    if ((i + 1) % 50 === 0) onProgress?.(`features: ${i + 1}/${fit.length} photos`);
  }
  const positives = damageLabels.filter((y) => y === 1).length;
  const n = damageLabels.length;
  // Balanced classes: the head should not learn the share of damaged cells in this particular data.
  const balance = Float32Array.from(damageLabels, (y) => (y === 1 ? n / (2 * positives) : n / (2 * (n - positives))));
  onProgress?.(`damage head: ${n} cells (${positives} damaged), ${dim} features, hidden ${hidden}, ${epochs} epochs`);
  const damage = trainHead({ x: stack(damageRows, dim), y: Int32Array.from(damageLabels), weight: balance, dim }, { classes: ['clean', 'damage'], hidden, epochs, seed });
  const presentTypes = POSITIVE_TYPES.filter((_, t) => typeLabels.includes(t));
  const remap = new Map(presentTypes.map((t, k) => [POSITIVE_TYPES.indexOf(t), k]));
  onProgress?.(`type head: ${typeLabels.length} cells over ${presentTypes.join(', ')}`);
  const typeY = Int32Array.from(typeLabels, (t) => remap.get(t)!);
  const typeCounts = presentTypes.map((_, k) => typeY.filter((y) => y === k).length);
  // Balanced: large polygons (missing parts, cracked glass) would otherwise outvote the small, frequent scratches.
  const typeWeight = Float32Array.from(typeY, (y) => typeY.length / (presentTypes.length * typeCounts[y]!));
  const type = trainHead({ x: stack(typeRows, dim), y: typeY, weight: typeWeight, dim }, { classes: [...presentTypes], hidden: 0, epochs: 10, seed: seed + 1 });

  const maps: { photo: Photo; map: DamageMap }[] = [];
  for (const photo of calibration) maps.push({ photo, map: await analyseWith(extractor, manifest, { damage, type }, photo.imagePath) });
  onProgress?.(`calibration: ${calibration.length} photos`);
  const features = Float32Array.from(maps.flatMap(({ map }) => photoFeatures(map)));
  const outcomes = maps.map(({ photo }) => photo.state === 'damaged');
  const photoHead = trainHead({ x: features, y: Int32Array.from(outcomes, Number), dim: PHOTO_FEATURES.length }, { classes: ['clean', 'damaged'], hidden: 0, epochs: 300, batchSize: 32, learningRate: 1e-2, l2: 1e-3, seed: seed + 2 });
  const probabilities = Array.from({ length: maps.length }, (_, i) => predictHead(photoHead, features.subarray(i * PHOTO_FEATURES.length, (i + 1) * PHOTO_FEATURES.length), 1)[1]!);
  const cleanCarWindows: number[] = [];
  for (const { photo, map } of maps) {
    if (photo.state !== 'undamaged') continue;
    for (const window of scoringWindows(photo, await carBox(photo))) cleanCarWindows.push(windowScore(map, window));
  }
  cleanCarWindows.sort((a, b) => a - b);
  // The 95th percentile of clean-car windows: at most 5 % of them are called damaged.
  const windowThreshold = cleanCarWindows.length > 0 ? cleanCarWindows[Math.min(cleanCarWindows.length - 1, Math.ceil(0.95 * cleanCarWindows.length))]! : 0.5;
  const prior = outcomes.filter(Boolean).length / outcomes.length;
  return {
    version: 1,
    manifestId: manifest.id,
    damage,
    type,
    photo: photoHead,
    windowThreshold,
    uncertainBand,
    training: {
      seed,
      hidden,
      epochs,
      positiveCoverage,
      negativesPerPhoto,
      cleanPhotoBoost,
      split: 'claim-grouped (electron/core/split), training side only; fit / calibration claims by hash',
      photos: { fit: fit.length, calibration: calibration.length, heldOutNotUsed: heldOut },
      cells: { damage: n, damaged: positives, type: typeLabels.length },
      calibrationFigures: { brier: brier(probabilities, outcomes), baseRateBrier: brier(outcomes.map(() => prior), outcomes), cleanCarWindows: cleanCarWindows.length },
      seconds: Math.round((Date.now() - started) / 1000),
    },
  };
}
