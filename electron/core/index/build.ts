import { join } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { readJsonFile } from '../workspace/json-file';
import { readNpy } from '../workspace/npy';
import { withWorkspaceLock } from '../workspace/lock';
import { workspacePaths } from '../workspace/workspace';
import { createFaissIndex, type IndexType } from './faiss';
import { selfCheck, selfCheckFailure } from './self-check';
import { faissDescription, RERUN_HINT, writeGeneration, type IndexConfig } from './store';
import { l2Norm, NORM_TOLERANCE } from './vectors';

/** Exact search is fast enough below this many vectors (domain.md: ~50k); HNSW above. */
export const DEFAULT_FLAT_THRESHOLD = 50_000;

export interface BuildIndexOptions {
  workspace: string;
  /** Model id the caller will query with; the build refuses embeddings from another model. */
  expectedModel?: string;
  flatThreshold?: number;
  onProgress?: (stage: BuildStage) => void;
}

export type BuildStage = 'reading' | 'adding' | 'checking' | 'writing';

// Only the fields the index needs; phase 3 may record more.
const generationInfoSchema = z.looseObject({
  model: z.string().min(1),
  dim: z.number().int().positive(),
  fusion: z.string().optional(),
  fusion_strategy: z.string().optional(),
});

const embeddingsMetadataSchema = z.looseObject({
  crops: z.array(z.looseObject({ crop_id: z.string().min(1), embedding_index: z.number().int().nonnegative().optional() })),
});

/** A phase 3 output file, read and checked by the shared reader; missing means phase 3 has not run. */
async function readPhase3File<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  const value = await readJsonFile(path, schema, what);
  if (value === null) throw new Error(`${path}: no ${what}; run phase 3 (embeddings) first`);
  return value;
}

/**
 * Phase 4: builds a new index generation from phase 3's output (embeddings.npy, metadata.json,
 * generation_info.json), skipping rejected crops, and makes it current once it passed its self-check.
 */
export function buildIndex(options: BuildIndexOptions): Promise<IndexConfig> {
  return withWorkspaceLock(options.workspace, 'phase 4 (index)', () => indexWorkspace(options));
}

async function indexWorkspace(options: BuildIndexOptions): Promise<IndexConfig> {
  const { embeddingsDir, indexDir } = workspacePaths(options.workspace);
  const flatThreshold = options.flatThreshold ?? DEFAULT_FLAT_THRESHOLD;
  const progress = options.onProgress ?? (() => undefined);

  progress('reading');
  const infoPath = join(embeddingsDir, 'generation_info.json');
  const metadataPath = join(embeddingsDir, 'metadata.json');
  const npyPath = join(embeddingsDir, 'embeddings.npy');
  const info = await readPhase3File(infoPath, generationInfoSchema, 'embedding generation info');
  if (options.expectedModel !== undefined && info.model !== options.expectedModel) {
    throw new Error(`${infoPath}: embeddings come from model ${info.model}, expected ${options.expectedModel}; ${RERUN_HINT}`);
  }
  const metadata = await readPhase3File(metadataPath, embeddingsMetadataSchema, 'embedding metadata');
  const crops = metadata.crops as unknown as CropRecord[];
  const { data: embeddings, shape } = await readNpy(npyPath);
  const [rows, dim] = shape;
  if (shape.length !== 2 || dim !== info.dim) {
    throw new Error(`${npyPath}: shape [${shape.join(', ')}] does not match dimension ${info.dim} of ${infoPath}; ${RERUN_HINT}`);
  }
  if (rows !== crops.length) {
    throw new Error(`${npyPath} has ${rows} rows but ${metadataPath} has ${crops.length} crops; ${RERUN_HINT}`);
  }

  const kept = crops.filter((c) => !c.rejected);
  const vectors = new Float32Array(kept.length * dim);
  const seenRows = new Set<number>();
  kept.forEach((crop, i) => {
    const row = crop.embedding_index;
    if (row === undefined || row >= rows || seenRows.has(row)) {
      throw new Error(`${metadataPath}: crop ${crop.crop_id} has embedding_index ${row}, not a free row of ${npyPath}; ${RERUN_HINT}`);
    }
    seenRows.add(row);
    const norm = l2Norm(embeddings, row * dim, dim);
    if (Math.abs(norm - 1) > NORM_TOLERANCE) {
      throw new Error(`${npyPath}: row ${row} (crop ${crop.crop_id}) has norm ${norm.toFixed(4)}, expected an L2-normalised vector; ${RERUN_HINT}`);
    }
    vectors.set(embeddings.subarray(row * dim, (row + 1) * dim), i * dim);
  });

  progress('adding');
  const type: IndexType = kept.length > flatThreshold ? 'hnsw' : 'flat';
  const index = createFaissIndex(type, vectors, dim);

  progress('checking');
  const check = selfCheck(index, vectors, dim);
  const failure = selfCheckFailure(check, type);
  if (failure) throw new Error(`index built from ${npyPath}: ${failure}`);

  progress('writing');
  return writeGeneration(indexDir, {
    index,
    vectors,
    records: kept,
    config: {
      model: info.model,
      dim,
      fusion: info.fusion ?? info.fusion_strategy ?? null,
      index_type: type,
      faiss: faissDescription(type),
      flat_threshold: flatThreshold,
      count: kept.length,
      skipped_rejected: crops.length - kept.length,
      self_check: check,
      created_at: new Date().toISOString(),
      source: 'embeddings',
    },
  });
}
