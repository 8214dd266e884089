import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CropRecord } from '../crops/crop-record';
import { exactTopK } from '../index/vectors';
import type { LocalIndex } from '../index';
import { passingRows } from '../retriever';
import { readNpy } from '../workspace/npy';
import { leakageFreePrecision, sampleRows, type QueryNeighbours } from './metrics';
import type { FusionRow } from './report';

/** One phase 3 output folder: `embeddings/` (the live one) or a kept copy such as `embeddings-concat/`. */
export interface EmbeddingsRun {
  folder: string;
  strategy: string | null;
  alpha: number | null;
  beta: number | null;
  model: string;
  records: CropRecord[];
  vectors: Float32Array;
  dim: number;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Every `<workspace>/embeddings*` folder holding a complete phase 3 output, in name order. */
export async function findEmbeddingsRuns(workspace: string): Promise<EmbeddingsRun[]> {
  const names = (await readdir(workspace, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && e.name.startsWith('embeddings'))
    .map((e) => e.name)
    .sort();
  const runs: EmbeddingsRun[] = [];
  for (const folder of names) {
    const dir = join(workspace, folder);
    const files = ['generation_info.json', 'metadata.json', 'embeddings.npy'].map((f) => join(dir, f));
    if (!files.every((f) => existsSync(f))) continue;
    const info = await readJson(files[0]!);
    const metadata = await readJson(files[1]!);
    const { data, shape } = await readNpy(files[2]!);
    const crops = metadata.crops;
    if (!Array.isArray(crops) || crops.length !== shape[0] || shape.length !== 2) {
      throw new Error(`${dir}: metadata.json and embeddings.npy disagree (${Array.isArray(crops) ? crops.length : 'no'} crops, shape [${shape.join(', ')}])`);
    }
    runs.push({
      folder,
      strategy: typeof info.fusion === 'string' ? info.fusion : null,
      alpha: typeof info.alpha === 'number' ? info.alpha : null,
      beta: typeof info.beta === 'number' ? info.beta : null,
      model: String(info.model),
      records: crops as CropRecord[],
      vectors: data,
      dim: shape[1]!,
    });
  }
  return runs;
}

/** Same model, size and, on a few sampled crops, the very vectors the index stores. */
function isIndexed(run: EmbeddingsRun, records: readonly CropRecord[], index: IndexedVectors): boolean {
  if (run.model !== index.config.model || run.dim !== index.config.dim || records.length !== index.size) return false;
  return sampleRows(run.records.length, 8).every((row) => {
    const indexRow = index.rowOf(run.records[row]!.crop_id);
    if (run.records[row]!.rejected) return indexRow === undefined;
    if (indexRow === undefined) return false;
    const stored = index.vector(indexRow);
    return stored.every((v, i) => Math.abs(v - run.vectors[row * run.dim + i]!) < 1e-6);
  });
}

/** What fusionRow needs of the live index (LocalIndex has it). */
export type IndexedVectors = Pick<LocalIndex, 'config' | 'size' | 'rowOf' | 'vector'>;

/** Leakage-free P@k over one run's vectors, by exact search; rejected crops neither query nor answer, as in the index. */
export function fusionRow(run: EmbeddingsRun, k: number, maxQueries: number, index: IndexedVectors): FusionRow {
  const live = run.records.map((r, row) => ({ r, row })).filter(({ r }) => !r.rejected);
  const records = live.map(({ r }) => r);
  const toLive = new Map(live.map(({ row }, j) => [row, j]));
  const queries: QueryNeighbours[] = sampleRows(records.length, maxQueries).map((i) => {
    const row = live[i]!.row;
    const query = run.vectors.subarray(row * run.dim, (row + 1) * run.dim);
    const allowed = [...(passingRows(records, { exclude_source_image: records[i]!.source_image }) ?? [])].map((j) => live[j]!.row);
    const hits = exactTopK(run.vectors, run.dim, query, k, allowed);
    return { row: i, neighbours: hits.map((h) => toLive.get(h.row)!) };
  });
  const figures = leakageFreePrecision(records, queries, k);
  return {
    folder: run.folder,
    strategy: run.strategy,
    alpha: run.alpha,
    beta: run.beta,
    model: run.model,
    dim: run.dim,
    count: records.length,
    indexed: isIndexed(run, records, index),
    has_damage: figures.has_damage,
    damage_type: figures.damage_type,
    zone: figures.zone,
  };
}
