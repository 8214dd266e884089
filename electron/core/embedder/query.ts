import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { withTextAlignment } from '../alignment/blend';
import { readAlignment } from '../alignment/store';
import { TEXT_VOCABULARY_FILE } from '../text/vocabulary';
import { liveGenerationDir } from '../workspace/generations';
import { workspacePaths } from '../workspace/workspace';
import { loadEmbedder, type Embedder, type ExecutionProvider } from './embedder';
import { GenerationInfoSchema } from './generation-info';
import { readEmbedderManifest } from './manifest';
import { PHASE3_FILES } from './run';

export interface QueryEmbedder {
  embedder: Embedder;
  /** As the crops were embedded: pass it to embedQuery so a large query photo gets the same views. */
  multiPatch: boolean;
}

/**
 * The embedder a search needs: the model and fusion (strategy, α, β) that produced the workspace's current
 * embeddings, read from generation_info.json, so query vectors are in the indexed space.
 */
export async function loadQueryEmbedder(workspace: string, options: { provider?: ExecutionProvider } = {}): Promise<QueryEmbedder> {
  const { embeddingsDir, modelCache } = workspacePaths(workspace);
  const generation = liveGenerationDir(embeddingsDir);
  const path = join(generation, PHASE3_FILES.info);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(`${path}: ${missing ? 'no embeddings yet; run phase 3 (embed) first' : (error as Error).message}`, { cause: error });
  }
  const parsed = GenerationInfoSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}; rerun phase 3 (embed)`);
  const info = parsed.data;
  // Checked before loading: a model whose text tower changed (v1 → v2) has no vocabulary file to read.
  const { id } = await readEmbedderManifest(info.manifest_path);
  if (id !== info.model) throw new Error(`${info.manifest_path} is now model ${id}, the embeddings come from ${info.model}; rerun phase 3 (embed)`);
  const embedder = await loadEmbedder(info.manifest_path, {
    provider: options.provider,
    fusion: { strategy: info.fusion, alpha: info.alpha, beta: info.beta },
    cacheDir: modelCache,
    // A lexicon text tower uses the vocabulary and IDF these embeddings were made with.
    textVocabularyPath: join(generation, TEXT_VOCABULARY_FILE),
    // A query photo's tower run stays off the caller's thread (Electron's main process, the HTTP service).
    imageTowerOnWorker: true,
  });
  // Unaligned towers: typed queries also score crops by pixels through the map phase 3 fitted (none: as before).
  const alignment = info.aligned ? null : await readAlignment(generation).catch(async (error: unknown) => {
    await embedder.dispose();
    throw error;
  });
  return { embedder: alignment ? withTextAlignment(embedder, alignment) : embedder, multiPatch: info.multi_patch };
}
