import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CropRecord } from '../crops/crop-record';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { writeNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { loadEmbedder, type Embedder, type ExecutionProvider } from './embedder';
import { checkFusion, fuse, fusedDim, type Fusion } from './fusion';

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
  provider: ExecutionProvider;
  fusion: Fusion;
  dim: number;
  crops: number;
  embedded: number;
  /** Crops with no context text (phase 2 not run): their text side is empty. */
  withoutText: number;
  failures: { crop_id: string; file: string; message: string }[];
  norms: { mean: number; std: number };
  seconds: { load: number; embed: number; total: number };
  path: string;
}

/** Phase 2's output when it exists (crops with their contexts), else phase 1's crops. */
async function readCrops(workspace: string): Promise<{ crops: CropRecord[]; source: string }> {
  const paths = workspacePaths(workspace);
  for (const path of [paths.contexts, paths.cropsMetadata]) {
    if (existsSync(path)) return { crops: (JSON.parse(await readFile(path, 'utf8')) as { crops: CropRecord[] }).crops, source: path };
  }
  throw new Error(`no crops in ${workspace}: run phase 1 (crops) first`);
}

export function resolveFusion(embedder: Embedder, partial: Partial<Fusion> = {}): Fusion {
  const fusion = { ...embedder.manifest.fusion, ...partial };
  checkFusion(fusion, embedder.manifest.aligned, embedder.imageDim, embedder.textDim);
  return fusion;
}

/**
 * Phase 3: one fused, L2-normalised vector per non-rejected crop. A crop whose image cannot be embedded is
 * reported and left out, never given a zero vector. Outputs are written atomically, all three together at the end.
 */
export async function runEmbeddings(options: RunEmbeddingsOptions): Promise<EmbeddingsSummary> {
  const started = performance.now();
  const { crops: all } = await readCrops(options.workspace);
  const crops = all.filter((c) => !c.rejected);
  const embedder = await loadEmbedder(options.manifestPath, { provider: options.provider });
  try {
    const fusion = resolveFusion(embedder, options.fusion);
    const dim = fusedDim(fusion, embedder.imageDim, embedder.textDim);
    const loaded = performance.now();
    const batchSize = options.batchSize ?? 16;
    const vectors: Float32Array[] = [];
    const records: CropRecord[] = [];
    const failures: EmbeddingsSummary['failures'] = [];
    let withoutText = 0;
    for (let start = 0; start < crops.length; start += batchSize) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
      const batch = crops.slice(start, start + batchSize);
      const images = await embedEach(embedder, batch.map((c) => join(options.workspace, c.crop_path)), options.multiPatch ?? true);
      const texts = batch.map((c) => c.text_description?.trim() || null);
      const present = texts.filter((t): t is string => t !== null);
      const textVectors = present.length ? await embedder.embedTexts(present) : [];
      let t = 0;
      batch.forEach((crop, i) => {
        const image = images[i]!;
        const text = texts[i] ? textVectors[t++]! : null;
        if (!text) withoutText++;
        if (image instanceof Error) {
          failures.push({ crop_id: crop.crop_id, file: crop.crop_path, message: image.message });
          return;
        }
        const vector = fuse(image, text, fusion, embedder.imageDim, embedder.textDim);
        records.push({
          ...crop,
          embedding_index: vectors.length,
          embedding_model: embedder.manifest.id,
          embedding_dim: dim,
          embedding_norm: norm(vector),
          fusion_strategy: fusion.strategy,
        });
        vectors.push(vector);
      });
      options.onProgress?.({ phase: 'embed', done: Math.min(start + batchSize, crops.length), total: crops.length, current: batch.at(-1)!.crop_id });
    }
    if (vectors.length === 0) throw new Error(`no crop could be embedded (${failures.length} failed)`);

    const matrix = new Float32Array(vectors.length * dim);
    vectors.forEach((v, i) => matrix.set(v, i * dim));
    const norms = records.map((r) => r.embedding_norm!);
    const mean = norms.reduce((a, b) => a + b, 0) / norms.length;
    const std = Math.sqrt(norms.reduce((a, b) => a + (b - mean) ** 2, 0) / norms.length);
    const dir = workspacePaths(options.workspace).embeddingsDir;
    const done = performance.now();
    const summary: EmbeddingsSummary = {
      model: embedder.manifest.id,
      aligned: embedder.manifest.aligned,
      provider: embedder.providerUsed,
      fusion,
      dim,
      crops: crops.length,
      embedded: vectors.length,
      withoutText,
      failures,
      norms: { mean, std },
      seconds: { load: (loaded - started) / 1000, embed: (done - loaded) / 1000, total: (done - started) / 1000 },
      path: dir,
    };
    await writeNpy(join(dir, 'embeddings.npy'), matrix, [vectors.length, dim]);
    await writeJsonAtomic(join(dir, 'metadata.json'), { version: 1, crops: records });
    await writeJsonAtomic(join(dir, 'generation_info.json'), {
      ...summary,
      fusion: fusion.strategy,
      alpha: fusion.alpha,
      beta: fusion.beta,
      multi_patch: options.multiPatch ?? true,
      generated_at: new Date().toISOString(),
    });
    return summary;
  } finally {
    await embedder.dispose();
  }
}

/** Embeds a batch; when the batch fails, embeds one by one so a single bad file is named and the rest go on. */
async function embedEach(embedder: Embedder, paths: string[], multiPatch: boolean): Promise<(Float32Array | Error)[]> {
  try {
    return await embedder.embedImages(paths, { multiPatch });
  } catch {
    return Promise.all(
      paths.map((path) =>
        embedder.embedImages([path], { multiPatch }).then(
          ([v]) => v!,
          (error: Error) => new Error(`cannot embed ${path}: ${error.message}`),
        ),
      ),
    );
  }
}

function norm(vector: Float32Array): number {
  let sum = 0;
  for (const v of vector) sum += v * v;
  return Math.sqrt(sum);
}

export interface QueryInput {
  image?: string | Buffer;
  text?: string;
}

/**
 * A query vector in the same space as the indexed crops, fused the same way. A photo is embedded image-only (its
 * context is unknown); with concat fusion the missing block is zero, so the query ranks by the part it has.
 */
export async function embedQuery(embedder: Embedder, query: QueryInput, fusion: Fusion): Promise<Float32Array> {
  const image = query.image !== undefined ? (await embedder.embedImages([query.image]))[0]! : null;
  const text = query.text?.trim() ? (await embedder.embedTexts([query.text]))[0]! : null;
  return fuse(image, text, fusion, embedder.imageDim, embedder.textDim);
}
