import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../models/paths';
import { loadEmbedder, type EmbeddedCrop, type Embedder } from './embedder';
import { fuse } from './fusion';
import { DEFAULT_EMBEDDER_MANIFEST } from './manifest';
import { writeTinyClip } from './tiny-clip';

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
const photo = (name: string) => join(sharedDir(), 'datasets', 'car-parts-undamaged', name);

async function gradient(width: number, height: number, seed: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * seed + (i >> 7) * 31) % 256;
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe('CLIP-family embedder on a generated tiny CLIP', () => {
  let dir: string;
  let embedder: Embedder;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-tiny-clip-'));
    embedder = await loadEmbedder(await writeTinyClip(dir, { size: 32, dim: 16 }));
  });
  afterAll(async () => {
    await embedder?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives unit vectors of the manifest dimension from both towers', async () => {
    expect(embedder.providerUsed).toBe('cpu');
    expect(embedder.dim).toBe(16);
    const images = await embedder.embedImages([await gradient(40, 30, 7), await gradient(32, 32, 13)]);
    const texts = await embedder.embedTexts(['a dented car door', 'a bowl of fruit']);
    for (const v of [...images, ...texts]) {
      expect(v.length).toBe(16);
      expect(Math.abs(norm(v) - 1)).toBeLessThan(1e-4);
    }
    expect(maxDiff(texts[0]!, texts[1]!)).toBeGreaterThan(0.01);
  });

  it('falls back to CPU when the asked provider cannot start, recording the one used', async () => {
    const other = await loadEmbedder(embedder.manifest.path, { provider: 'cuda' });
    try {
      // This onnxruntime-node build has no usable CUDA here; where it has, the vectors must still agree.
      expect(['cpu', 'cuda']).toContain(other.providerUsed);
      const input = await gradient(40, 30, 7);
      expect(maxDiff((await other.embedImages([input]))[0]!, (await embedder.embedImages([input]))[0]!)).toBeLessThan(1e-3);
    } finally {
      await other.dispose();
    }
  });

  it('a batch gives the same vectors as one-by-one runs', async () => {
    const inputs = [await gradient(40, 30, 7), await gradient(64, 48, 3), await gradient(32, 32, 13)];
    const batch = await embedder.embedImages(inputs);
    for (const [i, input] of inputs.entries()) {
      expect(maxDiff(batch[i]!, (await embedder.embedImages([input]))[0]!)).toBeLessThan(1e-5);
    }
    const texts = ['scratch on the rear bumper', 'dent', 'a bowl of fruit on a table'];
    const textBatch = await embedder.embedTexts(texts);
    for (const [i, text] of texts.entries()) {
      expect(maxDiff(textBatch[i]!, (await embedder.embedTexts([text]))[0]!)).toBeLessThan(1e-5);
    }
  });

  it('takes the multi-patch path for a crop larger than the input, and only then', async () => {
    const large = await gradient(300, 260, 5);
    const [withPatches, without, small] = [
      ...(await embedder.embedImagesSettled([large])),
      ...(await embedder.embedImagesSettled([large], { multiPatch: false })),
      ...(await embedder.embedImagesSettled([await gradient(32, 32, 5)])),
    ];
    if (!withPatches || !without || !small || 'error' in withPatches || 'error' in without || 'error' in small) throw new Error('embedding failed');
    // 32-px patches every 224 px plus one flush with the far edge: x ∈ {0, 224, 268}, y ∈ {0, 224, 228}.
    expect(withPatches.patches).toBe(9);
    expect(without.patches).toBe(0);
    expect(small.patches).toBe(0);
    expect(maxDiff(withPatches.vector, without.vector)).toBeGreaterThan(1e-3);
  });

  it('fuses crops with average (aligned towers) and reports a corrupt crop without a vector', async () => {
    const corrupt = join(dir, 'corrupt.jpg');
    await writeFile(corrupt, Buffer.from('not a jpeg at all'));
    const results = await embedder.embedCrops([
      { image: await gradient(40, 40, 9), text: 'dent on the front left door' },
      { image: corrupt, text: 'scratch' },
      { image: await gradient(40, 40, 9), text: null },
    ]);
    expect('error' in results[1]! && results[1].error.message).toContain('corrupt.jpg');
    const [fused, , imageOnly] = results as EmbeddedCrop[];
    expect(Math.abs(norm(fused!.vector) - 1)).toBeLessThan(1e-4);
    expect(maxDiff(fused!.vector, imageOnly!.vector)).toBeGreaterThan(1e-3);
    // The tower vectors come back too, and the fused vector is exactly their fusion.
    expect(maxDiff(fused!.image, imageOnly!.image)).toBeLessThan(1e-6);
    expect(imageOnly!.text).toBeNull();
    expect(maxDiff(fused!.text!, (await embedder.embedTexts(['dent on the front left door']))[0]!)).toBeLessThan(1e-6);
    expect(maxDiff(fused!.vector, fuse(fused!.image, fused!.text, embedder.fusion, embedder.imageDim, embedder.textDim))).toBe(0);
    const query = await embedder.embedQuery({ text: 'dent on the front left door' });
    expect(query.length).toBe(16);
  });
});

describe('offline visual + lexical embedder (YOLOX-Nano features)', () => {
  let embedder: Embedder;
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'carlens-model-cache-'));
    embedder = await loadEmbedder(DEFAULT_EMBEDDER_MANIFEST, { cacheDir });
  }, 60_000);
  afterAll(async () => {
    await embedder?.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('prepares the derived tower into the cache and gives a stable unit vector for a real photo', async () => {
    expect(existsSync(cacheDir)).toBe(true);
    const [a] = await embedder.embedImages([photo('train1.jpg')]);
    const [b, other] = await embedder.embedImages([photo('train1.jpg'), photo('train2.jpg')]);
    expect(a!.length).toBe(embedder.imageDim);
    expect(Math.abs(norm(a!) - 1)).toBeLessThan(1e-4);
    expect(maxDiff(a!, b!)).toBeLessThan(1e-5);
    expect(maxDiff(a!, other!)).toBeGreaterThan(1e-3);
  });

  it('refuses average fusion: the towers are not aligned', async () => {
    await expect(loadEmbedder(DEFAULT_EMBEDDER_MANIFEST, { cacheDir, fusion: { strategy: 'average' } })).rejects.toThrow(/not aligned/);
  });

  it('concat: image-only and text-only queries fill one block each', async () => {
    const imageQuery = await embedder.embedQuery({ imagePath: photo('train1.jpg') });
    const textQuery = await embedder.embedQuery({ text: 'dent on the front left door' });
    expect(imageQuery.length).toBe(embedder.imageDim + embedder.textDim);
    expect(norm(imageQuery.subarray(embedder.imageDim))).toBe(0);
    expect(norm(textQuery.subarray(0, embedder.imageDim))).toBe(0);
    expect(Math.abs(norm(imageQuery) - 1)).toBeLessThan(1e-4);
    const [dent, dent2, scratch] = await embedder.embedTexts(['dent on the front left door', 'a dent on the front left door', 'scratch on the rear bumper']);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(dot(dent!, dent2!)).toBeGreaterThan(dot(dent!, scratch!) + 0.3);
  });
});

const realClip = process.env.CARLENS_CLIP_MANIFEST;
describe.skipIf(!realClip || !existsSync(realClip))(`real CLIP weights (CARLENS_CLIP_MANIFEST=${realClip ?? 'unset'})`, () => {
  it('puts a dent photo closer to "a dented car door" than to "a bowl of fruit"', async () => {
    const embedder = await loadEmbedder(realClip);
    try {
      // A photo whose annotations include a dent.
      const dir = join(sharedDir(), 'datasets', 'bilgi-car-damage');
      const { readdir, readFile } = await import('node:fs/promises');
      const labelled = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
      let dentPhoto: string | null = null;
      for (const f of labelled) {
        const json = JSON.parse(await readFile(join(dir, f), 'utf8')) as { imagePath: string; shapes: { label: string }[] };
        if (json.shapes.some((s) => s.label === 'dent')) {
          dentPhoto = join(dir, json.imagePath);
          break;
        }
      }
      if (!dentPhoto) throw new Error(`no photo labelled dent in ${dir}`);
      const [image] = await embedder.embedImages([dentPhoto]);
      const [dented, fruit] = await embedder.embedTexts(['a dented car door', 'a bowl of fruit']);
      const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
      expect(dot(image!, dented!)).toBeGreaterThan(dot(image!, fruit!));
    } finally {
      await embedder.dispose();
    }
  }, 120_000);
});
