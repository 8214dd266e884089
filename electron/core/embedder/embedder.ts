import * as ort from 'onnxruntime-node';
import { loadClipTokenizer, type ClipTokenizer } from '../text/clip-tokenizer';
import { derivedTowerPath } from './derive-tower';
import { l2Normalise, lexicalVector } from './lexical';
import { readEmbedderManifest, type EmbedderManifest } from './manifest';
import { decodeRgb, extractPatch, normalise, patchOrigins, resizeForTower, type ImageInput, type RawImage } from './preprocess';

export type ExecutionProvider = 'cpu' | 'cuda' | 'dml' | 'coreml';

/** Multi-patch view of a large crop (domain.md): global view weight 0.6, mean of the patches 0.4, stride 224. */
export const MULTI_PATCH = { globalWeight: 0.6, patchWeight: 0.4, stride: 224 } as const;

export interface Embedder {
  readonly manifest: EmbedderManifest;
  readonly imageDim: number;
  readonly textDim: number;
  readonly providerUsed: ExecutionProvider;
  readonly tokenizer: ClipTokenizer;
  /** One L2-normalised vector per image; with multiPatch, larger images add the mean of their patches. */
  embedImages(images: ImageInput[], options?: { multiPatch?: boolean }): Promise<Float32Array[]>;
  /** One L2-normalised vector per text. */
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

async function createSession(path: string, provider: ExecutionProvider): Promise<{ session: ort.InferenceSession; used: ExecutionProvider }> {
  if (provider !== 'cpu') {
    try {
      return { session: await ort.InferenceSession.create(path, { executionProviders: [provider] }), used: provider };
    } catch {
      // The provider is not in this onnxruntime build or has no device: CPU is always there.
    }
  }
  return { session: await ort.InferenceSession.create(path, { executionProviders: ['cpu'] }), used: 'cpu' };
}

export async function loadEmbedder(manifestPath?: string, options: { provider?: ExecutionProvider } = {}): Promise<Embedder> {
  const manifest = await readEmbedderManifest(manifestPath);
  const tower = manifest.image;
  const imagePath = tower.derive
    ? await derivedTowerPath(manifest.id, manifest.files.deriveSource!, tower.derive)
    : manifest.files.image!;
  const image = await createSession(imagePath, options.provider ?? 'cpu');
  const text = manifest.files.text ? await createSession(manifest.files.text, image.used) : null;
  const tokenizer = await loadClipTokenizer({ vocab: manifest.files.vocab, merges: manifest.files.merges, contextLength: manifest.tokenizer.contextLength });
  const textDim = manifest.text.kind === 'lexical' ? manifest.text.dim : manifest.imageDim;

  /** Runs the image tower over prepared images, `maxBatch` per session run. */
  async function runImageTower(pixels: Buffer[]): Promise<Float32Array[]> {
    const size = 3 * tower.width * tower.height;
    const out: Float32Array[] = [];
    for (let start = 0; start < pixels.length; start += tower.maxBatch) {
      const batch = pixels.slice(start, start + tower.maxBatch);
      const input = new Float32Array(batch.length * size);
      batch.forEach((p, i) => normalise(p, tower, input, i * size));
      const result = await image.session.run({ [tower.input]: new ort.Tensor('float32', input, [batch.length, 3, tower.height, tower.width]) });
      const values = result[tower.output];
      if (!values) throw new Error(`image tower of ${manifest.id}: no output named '${tower.output}'`);
      const dim = values.dims[1]!;
      if (dim !== manifest.imageDim) throw new Error(`image tower of ${manifest.id} gives ${dim} values, the manifest says ${manifest.imageDim}`);
      const data = values.data as Float32Array;
      for (let i = 0; i < batch.length; i++) out.push(data.slice(i * dim, (i + 1) * dim));
    }
    return out;
  }

  /** The views of one image: the global view first, then its patches when it is larger than the input. */
  async function views(raw: RawImage, multiPatch: boolean): Promise<Buffer[]> {
    const list = [await resizeForTower(raw, tower)];
    if (multiPatch && (raw.width > tower.width || raw.height > tower.height)) {
      const pw = Math.min(tower.width, raw.width);
      const ph = Math.min(tower.height, raw.height);
      for (const top of patchOrigins(raw.height, ph, MULTI_PATCH.stride)) {
        for (const left of patchOrigins(raw.width, pw, MULTI_PATCH.stride)) {
          list.push(await resizeForTower(await extractPatch(raw, left, top, pw, ph), tower));
        }
      }
    }
    return list;
  }

  return {
    manifest,
    imageDim: manifest.imageDim,
    textDim,
    providerUsed: image.used,
    tokenizer,
    async embedImages(images, { multiPatch = true } = {}) {
      const perImage = await Promise.all(images.map(async (input) => views(await decodeRgb(input), multiPatch)));
      const vectors = await runImageTower(perImage.flat());
      let at = 0;
      return perImage.map((list) => {
        const [global, ...patches] = vectors.slice(at, (at += list.length)).map((v) => l2Normalise(v));
        if (patches.length === 0) return global!;
        const fused = new Float32Array(manifest.imageDim);
        for (let i = 0; i < fused.length; i++) {
          let mean = 0;
          for (const p of patches) mean += p[i]!;
          fused[i] = MULTI_PATCH.globalWeight * global![i]! + (MULTI_PATCH.patchWeight * mean) / patches.length;
        }
        return l2Normalise(fused);
      });
    },
    async embedTexts(texts) {
      if (manifest.text.kind === 'lexical') {
        const dim = manifest.text.dim;
        return texts.map((t) => lexicalVector(tokenizer.encode(t).slice(1, -1), dim));
      }
      const spec = manifest.text;
      const { ids, attentionMask, shape } = tokenizer.batch(texts, spec.idsType);
      const tensorType = spec.idsType === 'int64' ? 'int64' : 'int32';
      const feeds: Record<string, ort.Tensor> = { [spec.inputIds]: new ort.Tensor(tensorType, ids, shape) };
      if (spec.attentionMask) feeds[spec.attentionMask] = new ort.Tensor(tensorType, attentionMask, shape);
      const result = await text!.session.run(feeds);
      const values = result[spec.output];
      if (!values) throw new Error(`text tower of ${manifest.id}: no output named '${spec.output}'`);
      const dim = values.dims[1]!;
      const data = values.data as Float32Array;
      return texts.map((_, i) => l2Normalise(data.slice(i * dim, (i + 1) * dim)));
    },
    async dispose() {
      await Promise.all([image.session.release(), text?.session.release()]);
    },
  };
}
