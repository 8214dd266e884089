import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { checkFusion, fuse, fusedDim, type Fusion, type FusionStrategy } from '../embedder/fusion';
import { GenerationInfoSchema } from '../embedder/generation-info';
import { TOWER_FILES } from '../embedder/run';
import { createFaissIndex, faissSearchMany } from '../index/faiss';
import type { LocalIndex } from '../index';
import { liveGenerationDir } from '../workspace/generations';
import { readJsonFile } from '../workspace/json-file';
import { readNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { leakageFreePrecision, sampleRows, type QueryNeighbours } from './metrics';
import type { FusionComparison, FusionRow, QueryFigures } from './report';

/** Phase 3's tower vectors, row for row with its metadata, and how it fused them. */
export interface Towers {
  source: string;
  model: string;
  aligned: boolean;
  fusion: Fusion;
  records: CropRecord[];
  image: Float32Array;
  imageDim: number;
  /** Zero rows for crops that had no text. */
  text: Float32Array;
  textDim: number;
}

// Crop records are checked where the index is built; here only their presence matters.
const Metadata = z.object({ crops: z.array(z.custom<CropRecord>((c) => typeof c === 'object' && c !== null)) });

/** The phase 3 output's tower files, or null when that output predates them. */
export async function readTowers(workspace: string): Promise<Towers | null> {
  const dir = liveGenerationDir(workspacePaths(workspace).embeddingsDir);
  const imagePath = join(dir, TOWER_FILES.image);
  const textPath = join(dir, TOWER_FILES.text);
  if (!existsSync(imagePath) || !existsSync(textPath)) return null;
  const info = await readJsonFile(join(dir, 'generation_info.json'), GenerationInfoSchema, 'phase 3 generation info');
  const metadata = await readJsonFile(join(dir, 'metadata.json'), Metadata, 'phase 3 metadata');
  if (!info || !metadata) throw new Error(`${dir}: tower files without generation_info.json and metadata.json (re-run phase 3)`);
  const image = await readNpy(imagePath);
  const text = await readNpy(textPath);
  const rows = metadata.crops.length;
  for (const [path, npy] of [[imagePath, image], [textPath, text]] as const) {
    if (npy.shape[0] !== rows) throw new Error(`${path}: ${npy.shape[0]} rows, metadata.json has ${rows} crops (re-run phase 3)`);
  }
  return {
    source: dir,
    model: info.model,
    aligned: info.aligned,
    fusion: { strategy: info.fusion, alpha: info.alpha, beta: info.beta },
    records: metadata.crops,
    image: image.data,
    imageDim: image.shape[1]!,
    text: text.data,
    textDim: text.shape[1]!,
  };
}

/** The run's own fusion, then the other strategies with its weights (average ignores them). */
function candidateFusions(run: Fusion): Fusion[] {
  const strategies: FusionStrategy[] = ['concat', 'weighted', 'average'];
  return [run, ...strategies.filter((s) => s !== run.strategy).map((strategy) => ({ ...run, strategy }))];
}

function row(matrix: Float32Array, dim: number, i: number): Float32Array {
  return matrix.subarray(i * dim, (i + 1) * dim);
}

function isZero(vector: Float32Array): boolean {
  return vector.every((v) => v === 0);
}

/** The live index's view the comparison checks its own vectors against. */
export type IndexedVectors = Pick<LocalIndex, 'config' | 'size' | 'rowOf' | 'vector'>;

/**
 * Leakage-free P@k of three query kinds for each fusion strategy, all recomputed from the tower vectors:
 * a crop's own fused vector (image + its context), its image alone (how a dropped photo is queried) and its
 * context alone (a typed query). The items are always the fused crops, as in the index; rejected crops take no part.
 */
export function compareFusions(towers: Towers, k: number, maxQueries: number, index: IndexedVectors): FusionComparison {
  const { imageDim, textDim } = towers;
  const live = towers.records.flatMap((record, i) => (record.rejected ? [] : [{ record, i }]));
  const records = live.map((l) => l.record);
  const perPhoto = new Map<string, number>();
  for (const r of records) perPhoto.set(r.source_image, (perPhoto.get(r.source_image) ?? 0) + 1);
  // Enough neighbours that k remain once the query's own photo is dropped: exact, since the index is Flat.
  const widened = k + Math.max(0, ...perPhoto.values());
  const sampled = sampleRows(records.length, maxQueries);

  const rows: FusionRow[] = candidateFusions(towers.fusion).map((fusion) => {
    const base = { strategy: fusion.strategy, alpha: fusion.alpha, beta: fusion.beta, count: records.length };
    try {
      checkFusion(fusion, towers.aligned, imageDim, textDim);
    } catch (error) {
      return { ...base, dim: null, indexed: false, unavailable: (error as Error).message, queries: null };
    }
    const dim = fusedDim(fusion, imageDim, textDim);
    const vectorOf = (i: number, image: boolean, text: boolean): Float32Array => {
      const t = row(towers.text, textDim, i);
      return fuse(image ? row(towers.image, imageDim, i) : null, text && !isZero(t) ? t : null, fusion, imageDim, textDim);
    };
    const items = new Float32Array(records.length * dim);
    live.forEach(({ i }, j) => items.set(vectorOf(i, true, true), j * dim));
    const faiss = createFaissIndex('flat', items, dim);

    const figures = (queryRows: number[], vector: (j: number) => Float32Array): QueryFigures => {
      const queries = new Float32Array(queryRows.length * dim);
      queryRows.forEach((j, q) => queries.set(vector(j), q * dim));
      const found = faissSearchMany(faiss, queries, widened);
      const neighbours: QueryNeighbours[] = queryRows.map((j, q) => ({
        row: j,
        neighbours: found[q]!.filter((n) => records[n.row]!.source_image !== records[j]!.source_image).slice(0, k).map((n) => n.row),
      }));
      return leakageFreePrecision(records, neighbours, k);
    };
    const withText = sampled.filter((j) => !isZero(row(towers.text, textDim, live[j]!.i)));
    return {
      ...base,
      dim,
      indexed: isIndexed(towers, fusion, dim, items, records, index),
      unavailable: null,
      queries: {
        crop: figures(sampled, (j) => items.subarray(j * dim, (j + 1) * dim)),
        photo: figures(sampled, (j) => vectorOf(live[j]!.i, true, false)),
        text: figures(withText, (j) => vectorOf(live[j]!.i, false, true)),
      },
    };
  });
  return { source: towers.source, note: null, rows };
}

/** Same model, fusion and size as the live index and, on a few sampled crops, the very vectors it stores. */
function isIndexed(towers: Towers, fusion: Fusion, dim: number, items: Float32Array, records: CropRecord[], index: IndexedVectors): boolean {
  const { config } = index;
  if (towers.model !== config.model || dim !== config.dim || config.fusion !== fusion.strategy || records.length !== index.size) return false;
  return sampleRows(records.length, 8).every((j) => {
    const indexRow = index.rowOf(records[j]!.crop_id);
    if (indexRow === undefined) return false;
    const stored = index.vector(indexRow);
    return stored.every((v, d) => Math.abs(v - items[j * dim + d]!) < 1e-5);
  });
}
