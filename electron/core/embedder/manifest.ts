import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { readModelManifest } from '../models/manifest-file';
import { NATIVE_MODELS_DIR, requireFile, resolveModelPath } from '../models/paths';

const ImageTower = z.object({
  /** ONNX file of a ready tower; absent for a tower derived from a pretrained network (cached on first use). */
  file: z.string().optional(),
  /** Offline models: build the tower from a pretrained network by exposing and pooling these tensors. */
  derive: z
    .object({
      source: z.string(),
      tensors: z.array(z.string()).min(1),
      pooling: z.array(z.enum(['avg', 'max'])).min(1),
    })
    .optional(),
  input: z.string(),
  output: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** CLIP: shortest side to the input size, then a centre crop. `resize`: stretch to the input size. */
  resize: z.enum(['shortest_side_center_crop', 'resize']),
  channelOrder: z.enum(['RGB', 'BGR']),
  /** Pixel 0-255 × scale, then (x − mean) / std per channel. */
  scale: z.number().positive(),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  /** Most images in one session run: bounds the input tensor (16 × 3 × 224² floats ≈ 9.6 MB). */
  maxBatch: z.number().int().positive().default(16),
}).refine((tower) => (tower.file === undefined) !== (tower.derive === undefined), {
  message: 'give exactly one of image.file (a ready tower) and image.derive (a tower built from a source network)',
});

const OnnxTextTower = z.object({
  kind: z.literal('onnx'),
  file: z.string(),
  inputIds: z.string(),
  attentionMask: z.string().optional(),
  idsType: z.enum(['int32', 'int64']),
  output: z.string(),
});

/** Hashed bag of CLIP BPE unigrams and bigrams: deterministic, offline, and matches words exactly. */
const LexicalTextTower = z.object({
  kind: z.literal('lexical'),
  dim: z.number().int().positive(),
});

/**
 * One dimension per lexicon concept and per word of the workspace's contexts (no hashing), tf × IDF over the
 * contexts; the vocabulary is fitted by phase 3 and stored with the embeddings (electron/core/text/vocabulary.ts).
 */
const LexiconTextTower = z.object({
  kind: z.literal('lexicon'),
  dim: z.number().int().positive(),
  /** The lexicon's manifest (native-models/lexicon/manifest.json). */
  lexicon: z.string(),
});

export const EmbedderManifestSchema = z.object({
  id: z.string(),
  kind: z.literal('embedder'),
  description: z.string().optional(),
  /** True when image and text towers share one space (CLIP); false for the offline visual + lexical model. */
  aligned: z.boolean(),
  licence: z.string(),
  image: ImageTower,
  text: z.discriminatedUnion('kind', [OnnxTextTower, LexicalTextTower, LexiconTextTower]),
  tokenizer: z.object({ vocab: z.string(), merges: z.string(), contextLength: z.number().int().positive() }),
  /** Output size of the image tower (and of an ONNX text tower). */
  imageDim: z.number().int().positive(),
  /** Default fusion and block weights. */
  fusion: z.object({ strategy: z.enum(['average', 'weighted', 'concat']), alpha: z.number().min(0), beta: z.number().min(0) }),
});

export type EmbedderManifest = z.infer<typeof EmbedderManifestSchema> & {
  /** Absolute path of the manifest, and of every file it names. */
  path: string;
  files: { image: string | null; text: string | null; lexicon: string | null; vocab: string; merges: string; deriveSource: string | null };
};

export const DEFAULT_EMBEDDER_MANIFEST = resolve(NATIVE_MODELS_DIR, 'offline-visual-lexical', 'manifest.json');

export async function readEmbedderManifest(path: string = DEFAULT_EMBEDDER_MANIFEST): Promise<EmbedderManifest> {
  const absolute = resolve(path);
  const manifest = await readModelManifest(absolute, EmbedderManifestSchema);
  const dir = dirname(absolute);
  const file = (reference: string, what: string) => requireFile(resolveModelPath(reference, dir), `${what} named by ${absolute}`);
  const derived = manifest.image.derive;
  return {
    ...manifest,
    path: absolute,
    files: {
      // A derived tower is built on first use, so only its source must exist.
      image: derived ? null : file(manifest.image.file!, 'image tower'),
      text: manifest.text.kind === 'onnx' ? file(manifest.text.file, 'text tower') : null,
      lexicon: manifest.text.kind === 'lexicon' ? file(manifest.text.lexicon, 'lexicon manifest') : null,
      vocab: file(manifest.tokenizer.vocab, 'tokenizer vocabulary'),
      merges: file(manifest.tokenizer.merges, 'tokenizer merges'),
      deriveSource: derived ? file(derived.source, 'source network') : null,
    },
  };
}
