import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../models/paths';
import { readNpy } from '../workspace/npy';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { workspacePaths } from '../workspace/workspace';
import { loadEmbedder, type Embedder } from './embedder';
import { DEFAULT_EMBEDDER_MANIFEST } from './manifest';
import { embedQuery, runEmbeddings } from './run';
import { TINY_CLIP, writeTinyClip } from './testing/tiny-clip';

const norm = (v: Float32Array) => Math.hypot(...v);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

async function gradient(width: number, height: number, hue: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([(x * 255) / width, (y * 255) / height, hue], (y * width + x) * 3);
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

describe('CLIP-family embedder on a tiny generated CLIP model (real onnxruntime sessions)', () => {
  let dir: string;
  let embedder: Embedder;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-tiny-clip-'));
    embedder = await loadEmbedder(await writeTinyClip(join(dir, 'model')));
  });
  afterAll(async () => {
    await embedder.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads everything from the manifest and records the provider actually used', () => {
    expect(embedder.imageDim).toBe(TINY_CLIP.dim);
    expect(embedder.textDim).toBe(TINY_CLIP.dim);
    expect(embedder.providerUsed).toBe('cpu');
  });

  it('gives unit vectors, and a batch gives what one-by-one gives', async () => {
    const images = [await gradient(40, 40, 10), await gradient(40, 40, 200), await gradient(64, 48, 90)];
    const batch = await embedder.embedImages(images);
    for (const [i, image] of images.entries()) {
      const [single] = await embedder.embedImages([image]);
      expect(norm(batch[i]!)).toBeCloseTo(1, 5);
      for (let d = 0; d < TINY_CLIP.dim; d++) expect(batch[i]![d]).toBeCloseTo(single![d]!, 5);
    }
    const texts = await embedder.embedTexts(['a dented car door', 'a bowl of fruit']);
    expect(texts.map(norm).map((n) => +n.toFixed(5))).toEqual([1, 1]);
    expect(dot(texts[0]!, texts[1]!)).toBeLessThan(0.9999);
  });

  it('adds the multi-patch view for an image larger than the encoder input', async () => {
    const large = await gradient(96, 64, 120);
    const [withPatches] = await embedder.embedImages([large], { multiPatch: true });
    const [globalOnly] = await embedder.embedImages([large], { multiPatch: false });
    expect(norm(withPatches!)).toBeCloseTo(1, 5);
    expect(Math.max(...withPatches!.map((v, i) => Math.abs(v - globalOnly![i]!)))).toBeGreaterThan(1e-4);
    const small = await gradient(32, 32, 120);
    const [a] = await embedder.embedImages([small], { multiPatch: true });
    const [b] = await embedder.embedImages([small], { multiPatch: false });
    expect(Array.from(a!)).toEqual(Array.from(b!));
  });

  it('phase 3 writes N × D unit vectors, metadata and generation info, and leaves out a corrupt crop', async () => {
    const ws = join(dir, 'ws');
    const crop = (id: string, text?: string) => ({
      crop_id: id, crop_path: `crops/images/${id}.jpg`, source_image: 'p', source_path: '/x', has_damage: true,
      vehicle_zone: '4', zone_description: null, zone_area: null, crop_type: 'clustered', crop_size: [40, 40],
      bbox: { x: 0, y: 0, width: 40, height: 40 }, defects: [], damage_types: ['dent'], damage_count: 1,
      grid_position: null, car_ratio: null, car_ratio_method: null, car_fallback: false, text_description: text,
    });
    const paths = workspacePaths(ws);
    await writeJsonAtomic(paths.contexts, { version: 1, crops: [crop('a', 'dent on the rear door'), crop('b', 'scratch on the hood'), crop('c', 'broken'), { ...crop('d'), rejected: true }] });
    await writeFile(join(ws, 'crops/images/a.jpg'), await gradient(40, 40, 10));
    await writeFile(join(ws, 'crops/images/b.jpg'), await gradient(80, 60, 200));
    await writeFile(join(ws, 'crops/images/c.jpg'), Buffer.from('not a jpeg'));
    const summary = await runEmbeddings({ workspace: ws, manifestPath: embedder.manifest.path });
    expect(summary).toMatchObject({ model: 'tiny-clip-test', crops: 3, embedded: 2, dim: TINY_CLIP.dim, provider: 'cpu' });
    expect(summary.failures.map((f) => f.crop_id)).toEqual(['c']);
    const npy = await readNpy(join(paths.embeddingsDir, 'embeddings.npy'));
    expect(npy.shape).toEqual([2, TINY_CLIP.dim]);
    const metadata = JSON.parse(await readFile(join(paths.embeddingsDir, 'metadata.json'), 'utf8'));
    expect(metadata.crops.map((c: { crop_id: string; embedding_index: number }) => [c.crop_id, c.embedding_index])).toEqual([['a', 0], ['b', 1]]);
    for (let i = 0; i < 2; i++) expect(norm(npy.data.subarray(i * TINY_CLIP.dim, (i + 1) * TINY_CLIP.dim))).toBeCloseTo(1, 4);
    const info = JSON.parse(await readFile(join(paths.embeddingsDir, 'generation_info.json'), 'utf8'));
    expect(info).toMatchObject({ model: 'tiny-clip-test', dim: TINY_CLIP.dim, fusion: 'average', provider: 'cpu', embedded: 2 });
    // A query of crop a's own image and text lands on crop a's vector.
    const query = await embedQuery(embedder, { image: join(ws, 'crops/images/a.jpg'), text: 'dent on the rear door' }, summary.fusion);
    expect(dot(query, npy.data.subarray(0, TINY_CLIP.dim))).toBeCloseTo(1, 4);
  });
});

const yolox = join(sharedDir(), 'models', 'yolox-nano', 'yolox_nano.onnx');

describe.skipIf(!existsSync(yolox))('offline default model (YOLOX-Nano features + lexical text)', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await loadEmbedder(DEFAULT_EMBEDDER_MANIFEST);
  });
  afterAll(() => embedder.dispose());

  it('derives a pooled multi-scale feature tower from the real detector and embeds real photos stably', async () => {
    const photo = join(sharedDir(), 'datasets', 'car-parts-undamaged', 'train1.jpg');
    const [a] = await embedder.embedImages([photo]);
    const [b] = await embedder.embedImages([photo]);
    expect(a!.length).toBe(896);
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    const other = join(sharedDir(), 'datasets', 'car-parts-undamaged', 'train2.jpg');
    const [c] = await embedder.embedImages([other]);
    expect(dot(a!, c!)).toBeLessThan(0.9999);
  });

  it('refuses averaging its unaligned towers, naming the fix', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'carlens-offline-'));
    await writeJsonAtomic(workspacePaths(ws).cropsMetadata, { version: 1, crops: [] });
    await expect(runEmbeddings({ workspace: ws, fusion: { strategy: 'average' } })).rejects.toThrow(/not aligned: use concat/);
    await rm(ws, { recursive: true, force: true });
  });
});
