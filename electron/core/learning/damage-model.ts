import { z } from 'zod';
import type { BBox } from '../dataset/model';
import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';
import type { ImageInput, RawImage } from '../embedder/preprocess';
import { readJsonFile } from '../workspace/json-file';
import { withNeighbourhood } from './cell-context';
import { createFeatureMapExtractor, type FeatureMapExtractor } from './feature-maps';
import { predictHead, type HeadWeights } from './head';
import { readDamageHeadsManifest, type DamageHeadsManifest } from './manifest';

const Head = z.object({
  classes: z.array(z.string()).min(2),
  inputDim: z.number().int().positive(),
  hidden: z.number().int().min(0),
  mean: z.array(z.number()),
  std: z.array(z.number()),
  w1: z.array(z.number()),
  b1: z.array(z.number()),
  w2: z.array(z.number()),
  b2: z.array(z.number()),
});

export const HeadsFileSchema = z.object({
  version: z.literal(1),
  /** Id of the manifest the heads were trained for: features of another backbone would be meaningless to them. */
  manifestId: z.string(),
  /** Cell damage head: classes ['clean', 'damage']. */
  damage: Head,
  /** Cell type head over the damage types seen in training (cells over a typed polygon). */
  type: Head,
  /** Photo-level logistic calibration over PHOTO_FEATURES: classes ['clean', 'damaged']. */
  photo: Head,
  /** Window score above which a window is called damaged (≤ 5 % of clean-car windows of the calibration part). */
  windowThreshold: z.number(),
  /** Photo probabilities inside this band are answered "uncertain". */
  uncertainBand: z.tuple([z.number(), z.number()]),
  /** How the heads were made: command, data, split, seed, sizes, time, figures on the calibration part. */
  training: z.record(z.string(), z.unknown()),
});
export type HeadsFile = z.infer<typeof HeadsFileSchema>;

/** Per-cell damage probability and type probabilities over a photo. */
export interface DamageMap {
  cols: number;
  rows: number;
  photoWidth: number;
  photoHeight: number;
  /** P(damage) per cell, row-major. */
  damage: Float32Array;
  /** cells × typeClasses.length, each row a distribution over the types. */
  types: Float32Array;
  typeClasses: DamageType[];
}

export const PHOTO_FEATURES = ['logit_max_cell', 'logit_top5_cells', 'logit_top20_cells', 'mean_cell', 'share_cells_over_half'] as const;
/**
 * A window scores the mean of its most damaged quarter of cells: measured on the held-out claims (window AUROC within
 * photos) against the top cell 0.839, the top 3 cells 0.849, the top 10 % 0.864, all cells 0.863, the top 25 % 0.867.
 */
const WINDOW_TOP_SHARE = 0.25;

const logit = (p: number) => {
  const clamped = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.log(clamped / (1 - clamped));
};

function topMean(values: readonly number[], k: number): number {
  const top = [...values].sort((a, b) => b - a).slice(0, Math.max(1, k));
  return top.reduce((a, b) => a + b, 0) / top.length;
}

/** The photo-level features the calibration reads, from the cell probabilities alone (no detector involved). */
export function photoFeatures(map: DamageMap): number[] {
  const cells = Array.from(map.damage);
  return [
    logit(topMean(cells, 1)),
    logit(topMean(cells, 5)),
    logit(topMean(cells, 20)),
    cells.reduce((a, b) => a + b, 0) / cells.length,
    cells.filter((p) => p > 0.5).length / cells.length,
  ];
}

/** Indices of the cells whose centre lies inside a box of the photo. */
export function cellsInBox(map: Pick<DamageMap, 'cols' | 'rows' | 'photoWidth' | 'photoHeight'>, box: BBox): number[] {
  const cellW = map.photoWidth / map.cols;
  const cellH = map.photoHeight / map.rows;
  const cells: number[] = [];
  const q0 = Math.max(0, Math.ceil(box.x / cellW - 0.5));
  const q1 = Math.min(map.cols - 1, Math.floor((box.x + box.width) / cellW - 0.5));
  const r0 = Math.max(0, Math.ceil(box.y / cellH - 0.5));
  const r1 = Math.min(map.rows - 1, Math.floor((box.y + box.height) / cellH - 0.5));
  for (let r = r0; r <= r1; r++) for (let q = q0; q <= q1; q++) cells.push(r * map.cols + q);
  if (cells.length === 0) {
    // A window smaller than a cell: the cell under its centre.
    const q = Math.min(map.cols - 1, Math.floor((box.x + box.width / 2) / cellW));
    const r = Math.min(map.rows - 1, Math.floor((box.y + box.height / 2) / cellH));
    cells.push(r * map.cols + q);
  }
  return cells;
}

export function windowScore(map: DamageMap, box: BBox): number {
  const cells = cellsInBox(map, box);
  return topMean(cells.map((c) => map.damage[c]!), Math.ceil(WINDOW_TOP_SHARE * cells.length));
}

/** Damage types over some cells (default all), each cell's type distribution weighted by its damage probability. */
export function typeScores(map: DamageMap, cells?: readonly number[]): { type: DamageType; score: number }[] {
  const list = cells ?? Array.from({ length: map.cols * map.rows }, (_, i) => i);
  const k = map.typeClasses.length;
  const sums = new Float64Array(k);
  let total = 0;
  for (const c of list) {
    const weight = map.damage[c]!;
    total += weight;
    for (let t = 0; t < k; t++) sums[t] = sums[t]! + weight * map.types[c * k + t]!;
  }
  return map.typeClasses
    .map((type, t) => ({ type, score: total > 0 ? sums[t]! / total : 0 }))
    .sort((a, b) => b.score - a.score);
}

export interface DamageModel {
  readonly manifest: DamageHeadsManifest;
  readonly heads: HeadsFile;
  analyse(image: ImageInput | RawImage): Promise<DamageMap>;
  /** Calibrated P(damaged) of the photo. */
  photoProbability(map: DamageMap): number;
  dispose(): Promise<void>;
}

/** The trained heads; a missing file says how to train them, a malformed one names its problem (readJsonFile). */
export async function readHeadsFile(path: string): Promise<HeadsFile> {
  const heads = await readJsonFile(path, HeadsFileSchema, 'damage heads');
  if (!heads) throw new Error(`damage heads ${path}: missing; train them with \`npx tsx native-models/damage-heads/train/train.ts\``);
  return heads;
}

/** Runs the backbone once over a photo and the heads over every cell. */
export async function analyseWith(extractor: FeatureMapExtractor, manifest: DamageHeadsManifest, heads: Pick<HeadsFile, 'damage' | 'type'>, image: ImageInput | RawImage): Promise<DamageMap> {
  const grid = await extractor.cells(image);
  const cells = withNeighbourhood(grid, manifest.neighbourhood);
  const n = grid.cols * grid.rows;
  if (cells.dim !== heads.damage.inputDim) throw new Error(`damage heads expect ${heads.damage.inputDim} features per cell, the backbone gives ${cells.dim}: retrain them for ${manifest.id}`);
  const damage2 = predictHead(heads.damage as HeadWeights, cells.data, n);
  const damage = new Float32Array(n);
  for (let c = 0; c < n; c++) damage[c] = damage2[c * 2 + 1]!;
  const typeClasses = heads.type.classes.filter((t): t is DamageType => (DAMAGE_TYPES as readonly string[]).includes(t));
  return { cols: grid.cols, rows: grid.rows, photoWidth: grid.photoWidth, photoHeight: grid.photoHeight, damage, types: predictHead(heads.type as HeadWeights, cells.data, n), typeClasses };
}

export function calibratedProbability(photoHead: HeadsFile['photo'], map: DamageMap): number {
  return predictHead(photoHead as HeadWeights, Float32Array.from(photoFeatures(map)), 1)[1]!;
}

export async function loadDamageModel(manifestPath?: string, cacheDir?: string): Promise<DamageModel> {
  const manifest = await readDamageHeadsManifest(manifestPath);
  const heads = await readHeadsFile(manifest.weightsPath);
  if (heads.manifestId !== manifest.id) throw new Error(`damage heads ${manifest.weightsPath} were trained for '${heads.manifestId}', not '${manifest.id}'`);
  const extractor = await createFeatureMapExtractor(manifest.id, manifest.backboneSpec, manifest.cellStride, cacheDir);
  return {
    manifest,
    heads,
    analyse: (image) => analyseWith(extractor, manifest, heads, image),
    photoProbability: (map) => calibratedProbability(heads.photo, map),
    dispose: () => extractor.dispose(),
  };
}
