import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alignGeneration } from '../alignment/generation';
import type { CropRecord } from '../crops/crop-record';
import { applyJournal, readJournal } from '../review/journal';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { discardGeneration, publishGeneration } from '../workspace/generations';
import { withWorkspaceLock } from '../workspace/lock';
import { recordPhaseOutcome } from '../workspace/phase-record';
import { writeNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { TEXT_VOCABULARY_FILE } from '../text/vocabulary';
import { EmbeddingCheckpoint } from './checkpoint';
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
  /** Crops per batch, and per checkpoint (default: CARLENS_EMBED_BATCH, else 16). */
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
  /** Set when this run went on from the finished batches of an interrupted one: crops done then, of all. */
  resumed: { after: number; of: number } | null;
  seconds: { load: number; embed: number; total: number };
  /** The generation folder the outputs were written to (live once the run returned). */
  path: string;
}

/** Per-tower vectors beside embeddings.npy, same rows. */
export const TOWER_FILES = { image: 'image_embeddings.npy', text: 'text_embeddings.npy' } as const;

/** The five files of one phase 3 output set (also the names of the flat layout before generations). */
export const PHASE3_FILES = {
  fused: 'embeddings.npy',
  ...TOWER_FILES,
  metadata: 'metadata.json',
  info: 'generation_info.json',
} as const;

const DEFAULT_BATCH_SIZE = 16;

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
 * reported and left out, never given a zero vector. The outputs are one set: written into a new generation of
 * embeddings/ that goes live once all five files are there (workspace/generations.ts). While it embeds, the
 * finished batches are kept in that generation's folder, so a run that was killed or stopped resumes after them.
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
  const batchSize = resolveBatchSize(options.batchSize);
  const multiPatch = options.multiPatch ?? true;
  const { crops: read, source } = await readCrops(options.workspace);
  // Rejections and hand-written texts from the review journal, not from the snapshot phase 2 or 1 left.
  const all = applyJournal(read, await readJournal(options.workspace)).crops;
  const crops = all.filter((c) => !c.rejected);
  const { embeddingsDir, modelCache } = workspacePaths(options.workspace);
  // A lexicon text tower fits its vocabulary and IDF on the contexts it embeds (ignored by other towers).
  const textCorpus = crops.flatMap((c) => textOf(c) ?? []);
  // The tower on its own thread: this one decodes and prepares the next batch meanwhile.
  const embedder = await loadEmbedder(options.manifestPath, { provider: options.provider, fusion: options.fusion, cacheDir: modelCache, textCorpus, imageTowerOnWorker: true });
  try {
    const { fusion, dim, imageDim, textDim } = embedder;
    const loaded = performance.now();
    stopIfAborted(options.signal);
    const checkpoint = await EmbeddingCheckpoint.open(embeddingsDir, {
      model: embedder.manifest.id,
      fusion,
      multi_patch: multiPatch,
      crops: crops.length,
      batch_size: batchSize,
      dims: { fused: dim, image: imageDim, text: textDim },
      fingerprint: createHash('sha256').update(JSON.stringify({ manifest: embedder.manifest, crops, vocabulary: embedder.textVocabulary?.file })).digest('hex'),
    });
    try {
      const embedBatch = (start: number) => {
        const batch = crops.slice(start, start + batchSize);
        const results = embedder.embedCrops(batch.map((c) => ({ image: join(options.workspace, c.crop_path), text: textOf(c) })), { multiPatch });
        // Awaited in order below; a batch left behind by a stop must not surface as an unhandled rejection.
        results.catch(() => {});
        return { start, batch, results };
      };
      // One batch ahead: the next batch is decoded and its views prepared while the tower runs this one.
      let ahead = checkpoint.done < crops.length ? embedBatch(checkpoint.done) : null;
      try {
        while (ahead) {
          stopIfAborted(options.signal);
          const { start, batch, results } = ahead;
          ahead = start + batchSize < crops.length ? embedBatch(start + batchSize) : null;
          await checkpoint.append(
            (await results).map((result, i) =>
              'error' in result
                ? { crop: start + i, error: result.error.message }
                : { crop: start + i, vector: result.vector, image: result.image, text: result.text, patches: result.patches },
            ),
          );
          options.onProgress?.({ phase: 'embed', done: start + batch.length, total: crops.length, current: batch.at(-1)!.crop_id });
        }
      } finally {
        // The sessions are released after this: never under a batch still running.
        await ahead?.results.catch(() => {});
      }
      const rows = await checkpoint.read();
      const records: CropRecord[] = [];
      const failures: EmbeddingsSummary['failures'] = [];
      let multiPatched = 0;
      for (const line of rows.lines) {
        const crop = crops[line.crop]!;
        if ('error' in line) {
          failures.push({ crop_id: crop.crop_id, file: crop.crop_path, message: line.error });
          continue;
        }
        const embeddingNorm = norm(rows.fused.subarray(line.row * dim, (line.row + 1) * dim));
        records.push({ ...crop, embedding_index: line.row, embedding_model: embedder.manifest.id, embedding_dim: dim, embedding_norm: embeddingNorm, fusion_strategy: fusion.strategy });
        if (line.patches > 0) multiPatched++;
      }
      if (records.length === 0) throw new Error(`no crop could be embedded (${failures.length} failed)`);

      const norms = records.map((r) => r.embedding_norm!);
      const mean = norms.reduce((a, b) => a + b, 0) / norms.length;
      const std = Math.sqrt(norms.reduce((a, b) => a + (b - mean) ** 2, 0) / norms.length);
      const done = performance.now();
      const summary: EmbeddingsSummary = {
        model: embedder.manifest.id,
        aligned: embedder.manifest.aligned,
        source,
        provider: embedder.providerUsed,
        fusion,
        dim,
        crops: crops.length,
        embedded: records.length,
        withoutText: crops.filter((c) => textOf(c) === null).length,
        multiPatched,
        failures,
        norms: { mean, std },
        resumed: checkpoint.resumedAfter > 0 ? { after: checkpoint.resumedAfter, of: crops.length } : null,
        seconds: { load: (loaded - started) / 1000, embed: (done - loaded) / 1000, total: (done - started) / 1000 },
        path: checkpoint.dir,
      };
      const dir = checkpoint.dir;
      await writeNpy(join(dir, PHASE3_FILES.fused), rows.fused, [records.length, dim]);
      // The towers before fusion, row for row: validation scores photo-only and text-only queries and the other
      // fusion strategies from them without re-embedding.
      await writeNpy(join(dir, PHASE3_FILES.image), rows.image, [records.length, imageDim]);
      await writeNpy(join(dir, PHASE3_FILES.text), rows.text, [records.length, textDim]);
      await writeJsonAtomic(join(dir, PHASE3_FILES.metadata), { version: 1, crops: records });
      // The text tower's vocabulary and IDF: queries and re-embedded crops must use the ones these vectors were made with.
      if (embedder.textVocabulary) await writeJsonAtomic(join(dir, TEXT_VOCABULARY_FILE), embedder.textVocabulary.file);
      // Unaligned towers: a text → image map fitted on the training claims, so typed queries also rank by pixels.
      if (!embedder.manifest.aligned) await alignGeneration(dir, embedder.manifest.id, records, { data: rows.image, cols: imageDim }, { data: rows.text, cols: textDim });
      await writeJsonAtomic(join(dir, PHASE3_FILES.info), {
        ...summary,
        fusion: fusion.strategy,
        alpha: fusion.alpha,
        beta: fusion.beta,
        image_dim: imageDim,
        text_dim: textDim,
        multi_patch: multiPatch,
        // What a query needs to land in the same space: loadQueryEmbedder reads these back.
        manifest_path: embedder.manifest.path,
        generated_at: new Date().toISOString(),
      });
      await checkpoint.finish();
      // Recorded before going live: a failed record leaves the previous output live, never a live one discarded.
      await recordPhaseOutcome(options.workspace, 'embeddings', { records, counts: { embedded: records.length, crops: crops.length, dim }, model: { id: embedder.manifest.id, fusion: fusion.strategy, dim } });
      await publishGeneration(embeddingsDir, checkpoint.generation, { legacyFiles: Object.values(PHASE3_FILES) });
      return summary;
    } catch (error) {
      // Stopped on request, the finished batches stay for the next run to resume; any failure leaves nothing behind.
      if (!options.signal?.aborted || checkpoint.done === 0) await discardGeneration(embeddingsDir, checkpoint.generation);
      throw error;
    }
  } finally {
    await embedder.dispose();
  }
}

const textOf = (crop: CropRecord): string | null => crop.text_description?.trim() || null;

function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
}

/** The batch size asked for, else CARLENS_EMBED_BATCH, else 16. */
function resolveBatchSize(asked: number | undefined): number {
  const fromEnv = process.env.CARLENS_EMBED_BATCH;
  const value = asked ?? (fromEnv === undefined || fromEnv === '' ? DEFAULT_BATCH_SIZE : Number(fromEnv));
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${asked === undefined ? `CARLENS_EMBED_BATCH=${fromEnv}` : `batch size ${asked}`}: expected a whole number of crops ≥ 1`);
  }
  return value;
}

function norm(vector: Float32Array): number {
  let sum = 0;
  for (const v of vector) sum += v * v;
  return Math.sqrt(sum);
}
