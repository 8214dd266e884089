import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CropRecord } from '../crops/crop-record';
import { applyJournal, readJournal } from '../review/journal';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { writeNpy } from '../workspace/npy';
import { withWorkspaceLock } from '../workspace/lock';
import { workspacePaths } from '../workspace/workspace';
import { loadEmbedder, type ExecutionProvider } from './embedder';
import type { Fusion } from './fusion';

export interface EmbeddingsProgress {
  phase: 'embed';
  done: number;
  total: number;
  current: string | null;
}

export interface RunEmbeddingsOptions {
  workspace: string;
  manifestPath?: string;
  /** Defaults to the manifest's fusion. */
  fusion?: Partial<Fusion>;
  multiPatch?: boolean;
  provider?: ExecutionProvider;
  batchSize?: number;
  onProgress?: (progress: EmbeddingsProgress) => void;
  signal?: AbortSignal;
}

export interface EmbeddingsSummary {
  model: string;
  aligned: boolean;
  /** The crop list read: phase 2's contexts.json, or phase 1's crops.json when phase 2 has not run. */
  source: string;
  provider: ExecutionProvider;
  fusion: Fusion;
  dim: number;
  crops: number;
  embedded: number;
  /** Crops with no context text (phase 2 not run): their text side is empty. */
  withoutText: number;
  /** Crops larger than the encoder input that got the global + patches view. */
  multiPatched: number;
  failures: { crop_id: string; file: string; message: string }[];
  norms: { mean: number; std: number };
  seconds: { load: number; embed: number; total: number };
  path: string;
}

/** Per-tower vectors beside embeddings.npy, same rows. */
export const TOWER_FILES = { image: 'image_embeddings.npy', text: 'text_embeddings.npy' } as const;

/** Phase 2's output when it exists (crops with their contexts), else phase 1's crops. */
async function readCrops(workspace: string): Promise<{ crops: CropRecord[]; source: string }> {
  const paths = workspacePaths(workspace);
  for (const path of [paths.contexts, paths.cropsMetadata]) {
    if (!existsSync(path)) continue;
    let parsed: { crops?: CropRecord[] };
    try {
      parsed = JSON.parse(await readFile(path, 'utf8')) as { crops?: CropRecord[] };
    } catch (error) {
      throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
    }
    if (!Array.isArray(parsed.crops)) throw new Error(`${path}: no "crops" list`);
    return { crops: parsed.crops, source: path };
  }
  throw new Error(`no crops in ${workspace}: run phase 1 (crops) first`);
}

/**
 * Phase 3: one fused, L2-normalised vector per non-rejected crop. A crop whose image cannot be embedded is
 * reported and left out, never given a zero vector. Outputs are written atomically, all three together at the end.
 */
export function runEmbeddings(options: RunEmbeddingsOptions): Promise<EmbeddingsSummary> {
  return withWorkspaceLock(options.workspace, 'phase 3 (embeddings)', () => embedWorkspace(options));
}

/**
 * runEmbeddings without taking the workspace lock: only for the worker thread of runEmbeddingsInWorker, whose
 * calling thread holds the lock (a worker is another thread with its own module state, so it could not re-enter
 * its caller's lock and would be refused by it).
 */
export async function embedWorkspace(options: RunEmbeddingsOptions): Promise<EmbeddingsSummary> {
  const started = performance.now();
  const { crops: read, source } = await readCrops(options.workspace);
  // Rejections and hand-written texts from the review journal, not from the snapshot phase 2 or 1 left.
  const all = applyJournal(read, await readJournal(options.workspace)).crops;
  const crops = all.filter((c) => !c.rejected);
  const embedder = await loadEmbedder(options.manifestPath, {
    provider: options.provider,
    fusion: options.fusion,
    cacheDir: workspacePaths(options.workspace).modelCache,
  });
  try {
    const { fusion, dim } = embedder;
    const loaded = performance.now();
    const batchSize = options.batchSize ?? 16;
    const vectors: Float32Array[] = [];
    const imageVectors: Float32Array[] = [];
    const textVectors: (Float32Array | null)[] = [];
    const records: CropRecord[] = [];
    const failures: EmbeddingsSummary['failures'] = [];
    let withoutText = 0;
    let multiPatched = 0;
    for (let start = 0; start < crops.length; start += batchSize) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
      const batch = crops.slice(start, start + batchSize);
      const inputs = batch.map((c) => ({ image: join(options.workspace, c.crop_path), text: c.text_description?.trim() || null }));
      withoutText += inputs.filter((input) => input.text === null).length;
      const results = await embedder.embedCrops(inputs, { multiPatch: options.multiPatch ?? true });
      batch.forEach((crop, i) => {
        const result = results[i]!;
        if ('error' in result) {
          failures.push({ crop_id: crop.crop_id, file: crop.crop_path, message: result.error.message });
          return;
        }
        records.push({
          ...crop,
          embedding_index: vectors.length,
          embedding_model: embedder.manifest.id,
          embedding_dim: embedder.dim,
          embedding_norm: norm(result.vector),
          fusion_strategy: embedder.fusion.strategy,
        });
        vectors.push(result.vector);
        imageVectors.push(result.image);
        textVectors.push(result.text);
        if (result.patches > 0) multiPatched++;
      });
      options.onProgress?.({ phase: 'embed', done: Math.min(start + batchSize, crops.length), total: crops.length, current: batch.at(-1)!.crop_id });
    }
    if (vectors.length === 0) throw new Error(`no crop could be embedded (${failures.length} failed)`);

    const matrix = new Float32Array(vectors.length * dim);
    vectors.forEach((v, i) => matrix.set(v, i * dim));
    const { imageDim, textDim } = embedder;
    const imageMatrix = new Float32Array(vectors.length * imageDim);
    imageVectors.forEach((v, i) => imageMatrix.set(v, i * imageDim));
    // A crop without text keeps a zero row: validation tells "no text" from a text vector by its norm.
    const textMatrix = new Float32Array(vectors.length * textDim);
    textVectors.forEach((v, i) => v && textMatrix.set(v, i * textDim));
    const norms = records.map((r) => r.embedding_norm!);
    const mean = norms.reduce((a, b) => a + b, 0) / norms.length;
    const std = Math.sqrt(norms.reduce((a, b) => a + (b - mean) ** 2, 0) / norms.length);
    const dir = workspacePaths(options.workspace).embeddingsDir;
    const done = performance.now();
    const summary: EmbeddingsSummary = {
      model: embedder.manifest.id,
      aligned: embedder.manifest.aligned,
      source,
      provider: embedder.providerUsed,
      fusion,
      dim,
      crops: crops.length,
      embedded: vectors.length,
      withoutText,
      multiPatched,
      failures,
      norms: { mean, std },
      seconds: { load: (loaded - started) / 1000, embed: (done - loaded) / 1000, total: (done - started) / 1000 },
      path: dir,
    };
    await writeNpy(join(dir, 'embeddings.npy'), matrix, [vectors.length, dim]);
    // The towers before fusion, row for row: validation scores photo-only and text-only queries and the other
    // fusion strategies from them without re-embedding.
    await writeNpy(join(dir, TOWER_FILES.image), imageMatrix, [vectors.length, imageDim]);
    await writeNpy(join(dir, TOWER_FILES.text), textMatrix, [vectors.length, textDim]);
    await writeJsonAtomic(join(dir, 'metadata.json'), { version: 1, crops: records });
    await writeJsonAtomic(join(dir, 'generation_info.json'), {
      ...summary,
      fusion: fusion.strategy,
      alpha: fusion.alpha,
      beta: fusion.beta,
      image_dim: imageDim,
      text_dim: textDim,
      multi_patch: options.multiPatch ?? true,
      // What a query needs to land in the same space: loadQueryEmbedder reads these back.
      manifest_path: embedder.manifest.path,
      generated_at: new Date().toISOString(),
    });
    return summary;
  } finally {
    await embedder.dispose();
  }
}

function norm(vector: Float32Array): number {
  let sum = 0;
  for (const v of vector) sum += v * v;
  return Math.sqrt(sum);
}
