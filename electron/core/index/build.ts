import { join } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { applyJournal, readJournal } from '../review/journal';
import { liveGenerationDir } from '../workspace/generations';
import { readJsonFile } from '../workspace/json-file';
import { readNpy } from '../workspace/npy';
import { withWorkspaceLock } from '../workspace/lock';
import { recordPhaseOutcome } from '../workspace/phase-record';
import { workspacePaths } from '../workspace/workspace';
import { createFaissIndex, planIndex, type IndexType } from './faiss';
import { selfCheck, selfCheckFailure } from './self-check';
import { faissDescription, RERUN_HINT, writeGeneration, type IndexConfig } from './store';
import { l2Norm, NORM_TOLERANCE } from './vectors';

/** Exact search is fast enough below this many vectors (domain.md: ~50k); the ANN type above. */
export const DEFAULT_FLAT_THRESHOLD = 50_000;
/**
 * The approximate index above the flat threshold, chosen by bench/index.ts (README, "Index"): at 100k × 704 IVF-Flat
 * built in 7 s with recall@10 1.000 and p95 3.9 ms, where HNSW32 took 390 s even with efConstruction 40 (so a
 * million would take over an hour on two cores) for recall 0.94.
 */
export const DEFAULT_ANN_TYPE: AnnType = 'ivf';
export type AnnType = Exclude<IndexType, 'flat'>;

export interface BuildIndexOptions {
  workspace: string;
  /** Model id the caller will query with; the build refuses embeddings from another model. */
  expectedModel?: string;
  flatThreshold?: number;
  /** The index type above flatThreshold (default DEFAULT_ANN_TYPE). */
  annType?: AnnType;
  onProgress?: (stage: BuildStage) => void;
  /**
   * Embeds crops whose hand-written text (review journal) is newer than phase 3's vector, as phase 3 would.
   * Default: the model and fusion of phase 3's generation_info.json (loadQueryEmbedder).
   */
  reembed?: (workspace: string, crops: CropRecord[]) => Promise<Float32Array[]>;
}

async function reembedWithPhase3Model(workspace: string, crops: CropRecord[]): Promise<Float32Array[]> {
  const { loadQueryEmbedder } = await import('../embedder/query');
  const { embedder, multiPatch } = await loadQueryEmbedder(workspace);
  try {
    const out: Float32Array[] = [];
    for (const c of crops) out.push(await embedder.embedCrop({ image: join(workspace, c.crop_path), text: c.text_description ?? null }, { multiPatch }));
    return out;
  } finally {
    await embedder.dispose();
  }
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
  const phase3Dir = liveGenerationDir(embeddingsDir);
  const infoPath = join(phase3Dir, 'generation_info.json');
  const metadataPath = join(phase3Dir, 'metadata.json');
  const npyPath = join(phase3Dir, 'embeddings.npy');
  const info = await readPhase3File(infoPath, generationInfoSchema, 'embedding generation info');
  if (options.expectedModel !== undefined && info.model !== options.expectedModel) {
    throw new Error(`${infoPath}: embeddings come from model ${info.model}, expected ${options.expectedModel}; ${RERUN_HINT}`);
  }
  const metadata = await readPhase3File(metadataPath, embeddingsMetadataSchema, 'embedding metadata');
  const embedded = metadata.crops as unknown as CropRecord[];
  // Rejections and hand-written texts from the review journal, not from phase 3's snapshot of them.
  const crops = applyJournal(embedded, await readJournal(options.workspace)).crops;
  const { data: embeddings, shape } = await readNpy(npyPath);
  const [rows, dim] = shape;
  if (shape.length !== 2 || dim !== info.dim) {
    throw new Error(`${npyPath}: shape [${shape.join(', ')}] does not match dimension ${info.dim} of ${infoPath}; ${RERUN_HINT}`);
  }
  if (rows !== crops.length) {
    throw new Error(`${npyPath} has ${rows} rows but ${metadataPath} has ${crops.length} crops; ${RERUN_HINT}`);
  }

  const kept = crops.filter((c) => !c.rejected);
  // A text edited after phase 3 (or phase 3 run before the edit was journaled): that crop's vector is re-made.
  const embeddedText = new Map(embedded.map((c) => [c.crop_id, c.text_description]));
  const stale = kept.filter((c) => c.context_edited && c.text_description !== embeddedText.get(c.crop_id));
  const fresh = new Map<string, Float32Array>();
  if (stale.length > 0) {
    const made = await (options.reembed ?? reembedWithPhase3Model)(options.workspace, stale);
    stale.forEach((c, i) => fresh.set(c.crop_id, made[i]!));
  }
  const vectors = new Float32Array(kept.length * dim);
  const seenRows = new Set<number>();
  kept.forEach((crop, i) => {
    const row = crop.embedding_index;
    if (row === undefined || row >= rows || seenRows.has(row)) {
      throw new Error(`${metadataPath}: crop ${crop.crop_id} has embedding_index ${row}, not a free row of ${npyPath}; ${RERUN_HINT}`);
    }
    seenRows.add(row);
    const own = fresh.get(crop.crop_id);
    const source = own ?? embeddings.subarray(row * dim, (row + 1) * dim);
    const norm = l2Norm(source, 0, dim);
    if (source.length !== dim || Math.abs(norm - 1) > NORM_TOLERANCE) {
      const what = own ? `the re-embedded vector of crop ${crop.crop_id}` : `${npyPath}: row ${row} (crop ${crop.crop_id})`;
      throw new Error(`${what} has norm ${norm.toFixed(4)}, expected an L2-normalised vector of ${dim}; ${RERUN_HINT}`);
    }
    vectors.set(source, i * dim);
  });

  progress('adding');
  const type: IndexType = kept.length > flatThreshold ? (options.annType ?? DEFAULT_ANN_TYPE) : 'flat';
  const plan = planIndex(type, kept.length);
  const index = createFaissIndex(plan, vectors, dim);

  progress('checking');
  const check = selfCheck(index, vectors, dim);
  const failure = selfCheckFailure(check, type);
  if (failure) throw new Error(`index built from ${npyPath}: ${failure}`);

  progress('writing');
  const built = await writeGeneration(indexDir, {
    index,
    vectors,
    records: kept,
    config: {
      model: info.model,
      dim,
      fusion: info.fusion ?? info.fusion_strategy ?? null,
      index_type: type,
      faiss: faissDescription(plan),
      flat_threshold: flatThreshold,
      count: kept.length,
      skipped_rejected: crops.length - kept.length,
      self_check: check,
      created_at: new Date().toISOString(),
      source: 'embeddings',
    },
  });
  await recordPhaseOutcome(options.workspace, 'index', { records: kept, counts: { vectors: kept.length, generation: built.generation }, extra: { model: info.model, dim, type } });
  return built;
}
