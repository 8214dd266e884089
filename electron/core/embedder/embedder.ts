import * as ort from 'onnxruntime-node';
import { loadClipTokenizer, type ClipTokenizer } from '../text/clip-tokenizer';
import { loadLexicon } from '../text/lexicon';
import { buildTextVocabulary, readTextVocabulary, type TextVocabulary } from '../text/vocabulary';
import { derivedTowerPath } from './derive-tower';
import { checkFusion, fuse, fusedDim, type Fusion } from './fusion';
import { l2Normalise, lexicalVector } from './lexical';
import { readEmbedderManifest, type EmbedderManifest } from './manifest';
import { asRawImage, type ImageInput, type RawImage } from './preprocess';
import { createWorkerSession, type TowerSession } from './session-worker';
import { prepareViews, type PreparedViews } from './views';

export type ExecutionProvider = 'cpu' | 'cuda' | 'dml' | 'coreml';

/** Multi-patch view of a large crop (domain.md): global view weight 0.6, mean of the patches 0.4, stride 224. */
export const MULTI_PATCH = { globalWeight: 0.6, patchWeight: 0.4, stride: 224 } as const;

export interface ImageOptions {
  /** Add sliding patches for images larger than the tower input (default true). */
  multiPatch?: boolean;
}

/** One crop to embed: its image and its text description (null: image only). */
export interface CropInput {
  image: ImageInput;
  text: string | null;
}

export type Settled = { vector: Float32Array; patches: number } | { error: Error };

/** A crop's fused vector and the two tower vectors it was fused from (text null when the crop has none). */
export interface EmbeddedCrop {
  vector: Float32Array;
  image: Float32Array;
  text: Float32Array | null;
  patches: number;
}
export type SettledCrop = EmbeddedCrop | { error: Error };

export interface QueryInput {
  imagePath?: string;
  text?: string;
  /** Default true, as the crops were embedded (a large query photo gets the same global + patches view). */
  multiPatch?: boolean;
  /** Block weights for this query; default: the embedder's fusion. */
  weights?: { alpha: number; beta: number };
}

export interface Embedder {
  readonly manifest: EmbedderManifest;
  readonly imageDim: number;
  readonly textDim: number;
  /** Size of a fused vector (what embedCrop and embedQuery return). */
  readonly dim: number;
  readonly fusion: Fusion;
  readonly providerUsed: ExecutionProvider;
  readonly tokenizer: ClipTokenizer;
  /** The lexicon text tower's vocabulary (null for other towers): phase 3 writes it beside the vectors. */
  readonly textVocabulary: TextVocabulary | null;
  /** One L2-normalised image vector per image (a file, encoded bytes or decoded pixels), in order; the first image that fails rejects the call. */
  embedImages(images: (ImageInput | RawImage)[], options?: ImageOptions): Promise<Float32Array[]>;
  /** As embedImages, but each image succeeds or fails alone; `patches` is how many extra views it had. */
  embedImagesSettled(images: (ImageInput | RawImage)[], options?: ImageOptions): Promise<Settled[]>;
  /** One L2-normalised text vector per text (a lexicon tower gives zeros for a text with no known term). */
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  /** Fused vector of one crop (image + its description). */
  embedCrop(crop: CropInput, options?: ImageOptions): Promise<Float32Array>;
  /** Fused vectors of many crops: one tower run per batch; each crop succeeds or fails alone. */
  embedCrops(crops: CropInput[], options?: ImageOptions): Promise<SettledCrop[]>;
  /**
   * A query in the indexed space, fused like the crops. A photo alone is image-only: for concat the text block is
   * zero and the vector renormalised, so the ranking is by the image block alone (scores scale by a constant).
   */
  embedQuery(query: QueryInput): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface LoadEmbedderOptions {
  provider?: ExecutionProvider;
  /** Default: the manifest's fusion. */
  fusion?: Partial<Fusion>;
  /** Where a derived image tower is cached (default `.cache/models` in the checkout). */
  cacheDir?: string;
  /**
   * Lexicon text tower: the vocabulary file phase 3 wrote (queries and re-embedded crops), or the texts to fit
   * it on (phase 3). With neither, the vocabulary is the lexicon's concepts alone, all weighted alike.
   */
  textVocabularyPath?: string;
  textCorpus?: readonly string[];
  /**
   * Run the image tower on its own worker thread (phase 3 and queries do): the calling thread stays free while it
   * runs, for the next images' decoding or an app's window. Default: on the calling thread.
   */
  imageTowerOnWorker?: boolean;
}

async function loadTextVocabulary(manifest: EmbedderManifest, options: LoadEmbedderOptions): Promise<TextVocabulary | null> {
  if (manifest.text.kind !== 'lexicon') return null;
  const lexicon = await loadLexicon(manifest.files.lexicon!);
  if (options.textVocabularyPath) return readTextVocabulary(options.textVocabularyPath, lexicon, manifest.text.dim);
  return buildTextVocabulary(options.textCorpus ?? [], lexicon, manifest.text.dim);
}

async function createSession(path: string, provider: ExecutionProvider, onWorker = false): Promise<{ session: TowerSession; used: ExecutionProvider }> {
  if (onWorker) {
    const { session, provider: used } = await createWorkerSession(path, provider === 'cpu' ? ['cpu'] : [provider, 'cpu']);
    return { session, used: used as ExecutionProvider };
  }
  if (provider !== 'cpu') {
    try {
      return { session: await ort.InferenceSession.create(path, { executionProviders: [provider] }), used: provider };
    } catch {
      // The provider is not in this onnxruntime build or has no device: CPU is always there.
    }
  }
  try {
    return { session: await ort.InferenceSession.create(path, { executionProviders: ['cpu'] }), used: 'cpu' };
  } catch (error) {
    throw new Error(`cannot load ONNX model ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export async function loadEmbedder(manifestPath?: string, options: LoadEmbedderOptions = {}): Promise<Embedder> {
  const manifest = await readEmbedderManifest(manifestPath);
  const tower = manifest.image;
  const imagePath = tower.derive
    ? await derivedTowerPath(manifest.id, manifest.files.deriveSource!, tower.derive, options.cacheDir)
    : manifest.files.image!;
  const image = await createSession(imagePath, options.provider ?? 'cpu', options.imageTowerOnWorker);
  const text = manifest.files.text ? await createSession(manifest.files.text, image.used) : null;
  const tokenizer = await loadClipTokenizer({ vocab: manifest.files.vocab, merges: manifest.files.merges, contextLength: manifest.tokenizer.contextLength });
  const imageDim = manifest.imageDim;
  const textVocabulary = await loadTextVocabulary(manifest, options);
  const textDim = manifest.text.kind === 'onnx' ? manifest.imageDim : manifest.text.dim;
  const fusion: Fusion = { ...manifest.fusion, ...options.fusion };
  checkFusion(fusion, manifest.aligned, imageDim, textDim);
  const dim = fusedDim(fusion, imageDim, textDim);

  /** Runs the image tower over the views of prepared images, `maxBatch` views per session run; one vector per view. */
  async function runImageTower(prepared: PreparedViews[]): Promise<Float32Array[]> {
    const size = 3 * tower.width * tower.height;
    const views = prepared.flatMap(({ tensor, count }) => Array.from({ length: count }, (_, i) => tensor.subarray(i * size, (i + 1) * size)));
    const out: Float32Array[] = [];
    for (let start = 0; start < views.length; start += tower.maxBatch) {
      const batch = views.slice(start, start + tower.maxBatch);
      const input = new Float32Array(batch.length * size);
      batch.forEach((view, i) => input.set(view, i * size));
      const result = await image.session.run({ [tower.input]: new ort.Tensor('float32', input, [batch.length, 3, tower.height, tower.width]) });
      const values = result[tower.output];
      if (!values) throw new Error(`image tower of ${manifest.id}: no output named '${tower.output}'`);
      const width = values.dims[1];
      if (width !== imageDim) throw new Error(`image tower of ${manifest.id} gives ${width} values, the manifest says ${imageDim}`);
      const data = values.data as Float32Array;
      for (let i = 0; i < batch.length; i++) out.push(data.slice(i * imageDim, (i + 1) * imageDim));
    }
    return out;
  }

  async function embedImagesSettled(images: (ImageInput | RawImage)[], { multiPatch = true }: ImageOptions = {}): Promise<Settled[]> {
    const prepared = await Promise.all(
      images.map(async (input) => {
        try {
          return await prepareViews(await asRawImage(input), tower, multiPatch ? MULTI_PATCH.stride : null);
        } catch (error) {
          const name = typeof input === 'string' ? input : Buffer.isBuffer(input) ? `image buffer of ${input.length} bytes` : `image of ${input.width}×${input.height} pixels`;
          return new Error(`${name}: cannot read the image (${(error as Error).message})`, { cause: error });
        }
      }),
    );
    const vectors = await runImageTower(prepared.filter((p): p is PreparedViews => !(p instanceof Error)));
    let at = 0;
    return prepared.map((views) => {
      if (views instanceof Error) return { error: views };
      const [global, ...patches] = vectors.slice(at, (at += views.count)).map((v) => l2Normalise(v));
      if (patches.length === 0) return { vector: global!, patches: 0 };
      const fused = new Float32Array(imageDim);
      for (let i = 0; i < imageDim; i++) {
        let sum = 0;
        for (const p of patches) sum += p[i]!;
        fused[i] = MULTI_PATCH.globalWeight * global![i]! + (MULTI_PATCH.patchWeight * sum) / patches.length;
      }
      return { vector: l2Normalise(fused), patches: patches.length };
    });
  }

  async function embedTexts(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    if (manifest.text.kind === 'lexicon') return texts.map((t) => textVocabulary!.vector(t));
    if (manifest.text.kind === 'lexical') {
      const size = manifest.text.dim;
      // Start and end tokens are in every text: they carry no information.
      return texts.map((t) => lexicalVector(tokenizer.encode(t).slice(1, -1), size, `text "${t}"`));
    }
    const spec = manifest.text;
    const { ids, attentionMask, shape } = tokenizer.batch(texts, spec.idsType);
    const feeds: Record<string, ort.Tensor> = { [spec.inputIds]: new ort.Tensor(spec.idsType, ids, shape) };
    if (spec.attentionMask) feeds[spec.attentionMask] = new ort.Tensor(spec.idsType, attentionMask, shape);
    const result = await text!.session.run(feeds);
    const values = result[spec.output];
    if (!values) throw new Error(`text tower of ${manifest.id}: no output named '${spec.output}'`);
    if (values.dims[1] !== textDim) throw new Error(`text tower of ${manifest.id} gives ${values.dims[1]} values, the manifest says ${textDim}`);
    const data = values.data as Float32Array;
    return texts.map((_, i) => l2Normalise(data.slice(i * textDim, (i + 1) * textDim)));
  }

  async function embedCrops(crops: CropInput[], options?: ImageOptions): Promise<SettledCrop[]> {
    const images = await embedImagesSettled(crops.map((c) => c.image), options);
    const withText = crops.flatMap((c, i) => (c.text && !('error' in images[i]!) ? [i] : []));
    const texts = await embedTexts(withText.map((i) => crops[i]!.text!));
    const textOf = new Map(withText.map((i, k) => [i, texts[k]!]));
    return images.map((settled, i) => {
      if ('error' in settled) return settled;
      const text = textOf.get(i) ?? null;
      return { vector: fuse(settled.vector, text, fusion, imageDim, textDim), image: settled.vector, text, patches: settled.patches };
    });
  }

  async function embedImages(images: (ImageInput | RawImage)[], options?: ImageOptions): Promise<Float32Array[]> {
    return (await embedImagesSettled(images, options)).map((settled) => {
      if ('error' in settled) throw settled.error;
      return settled.vector;
    });
  }

  return {
    manifest,
    imageDim,
    textDim,
    dim,
    fusion,
    providerUsed: image.used,
    tokenizer,
    textVocabulary,
    embedImagesSettled,
    embedImages,
    embedTexts,
    embedCrops,
    async embedCrop(crop, options) {
      const [settled] = await embedCrops([crop], options);
      if ('error' in settled!) throw settled.error;
      return settled!.vector;
    },
    async embedQuery({ imagePath, text: query, weights, multiPatch = true }) {
      const blend: Fusion = weights ? { ...fusion, ...weights } : fusion;
      checkFusion(blend, manifest.aligned, imageDim, textDim);
      const imageVector = imagePath ? (await embedImages([imagePath], { multiPatch }))[0]! : null;
      const textVector = query ? (await embedTexts([query]))[0]! : null;
      if (textVector && !textVector.some((v) => v !== 0)) {
        // Only a lexicon tower gives zeros: every word of the query is outside its vocabulary.
        if (!imageVector) throw new Error(`text "${query}": none of its words is in this workspace's vocabulary (the lexicon's words and those of the contexts); try words such as dent, scratch, rear bumper, clean`);
        return fuse(imageVector, null, blend, imageDim, textDim);
      }
      return fuse(imageVector, textVector, blend, imageDim, textDim);
    },
    async dispose() {
      await Promise.all([image.session.release(), text?.session.release()]);
    },
  };
}
