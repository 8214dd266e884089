import { join } from 'node:path';
import type { CropRecord } from '../crops/crop-record';
import { fuse, fusedDim } from '../embedder/fusion';
import { DEFAULT_EMBEDDER_MANIFEST, readEmbedderManifest } from '../embedder/manifest';
import { PHASE3_FILES } from '../embedder/run';
import { buildIndex, type BuildIndexOptions } from '../index/build';
import { syntheticVectors } from '../index/synthetic';
import { loadLexicon } from '../text/lexicon';
import { buildTextVocabulary, TEXT_VOCABULARY_FILE } from '../text/vocabulary';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { writeNewGeneration } from '../workspace/generations';
import { writeNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';

/**
 * Phases 3 and 4 of a workspace over chosen crop records, without their images: the model's real text tower
 * (its vocabulary fitted on the records' contexts, as phase 3 fits it) fused with clustered unit vectors in place
 * of the image tower's. A text query ranks by the text block alone, so text search over this workspace runs
 * exactly as over one phase 3 embedded from photos (query embedder, vocabulary file, index, retriever): tests
 * and bench/text-queries.ts use it for corpora whose labels the shared photos lack.
 */
export async function writeTextWorkspace(
  workspace: string,
  records: readonly CropRecord[],
  options: { manifestPath?: string; seed?: number; flatThreshold?: BuildIndexOptions['flatThreshold'] } = {},
): Promise<void> {
  const manifest = await readEmbedderManifest(options.manifestPath ?? DEFAULT_EMBEDDER_MANIFEST);
  if (manifest.text.kind !== 'lexicon') throw new Error(`${manifest.path}: writeTextWorkspace needs a lexicon text tower, not '${manifest.text.kind}'`);
  const { imageDim, fusion } = manifest;
  const textDim = manifest.text.dim;
  const dim = fusedDim(fusion, imageDim, textDim);
  const texts = records.map((r) => r.text_description ?? '');
  const vocabulary = buildTextVocabulary(texts, await loadLexicon(manifest.files.lexicon!), textDim);
  const image = syntheticVectors(records.length, imageDim, options.seed ?? 5);
  const text = new Float32Array(records.length * textDim);
  const fused = new Float32Array(records.length * dim);
  records.forEach((_, row) => {
    const textVector = vocabulary.vector(texts[row]!);
    text.set(textVector, row * textDim);
    const imageVector = image.subarray(row * imageDim, (row + 1) * imageDim);
    fused.set(fuse(imageVector, textVector.some((v) => v !== 0) ? textVector : null, fusion, imageDim, textDim), row * dim);
  });
  const embedded = records.map((r, row) => ({ ...r, embedding_index: row, embedding_model: manifest.id, embedding_dim: dim, embedding_norm: 1, fusion_strategy: fusion.strategy }));
  await writeNewGeneration(workspacePaths(workspace).embeddingsDir, async (dir) => {
    await writeNpy(join(dir, PHASE3_FILES.fused), fused, [records.length, dim]);
    await writeNpy(join(dir, PHASE3_FILES.image), image, [records.length, imageDim]);
    await writeNpy(join(dir, PHASE3_FILES.text), text, [records.length, textDim]);
    await writeJsonAtomic(join(dir, PHASE3_FILES.metadata), { version: 1, crops: embedded });
    await writeJsonAtomic(join(dir, TEXT_VOCABULARY_FILE), vocabulary.file);
    await writeJsonAtomic(join(dir, PHASE3_FILES.info), {
      model: manifest.id,
      aligned: manifest.aligned,
      manifest_path: manifest.path,
      fusion: fusion.strategy,
      alpha: fusion.alpha,
      beta: fusion.beta,
      dim,
      image_dim: imageDim,
      text_dim: textDim,
      multi_patch: true,
      crops: records.length,
      embedded: records.length,
    });
  });
  await buildIndex({ workspace, flatThreshold: options.flatThreshold });
}
