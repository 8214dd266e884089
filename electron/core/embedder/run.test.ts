import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { liveGenerationDir } from '../workspace/generations';
import { readNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { fuse } from './fusion';
import { loadQueryEmbedder } from './query';
import { runEmbeddings, TOWER_FILES } from './run';
import { writeTinyClip } from './tiny-clip';

const DIM = 16;
const norm = (v: Float32Array) => Math.hypot(...v);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

async function gradient(width: number, height: number, hue: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([(x * 255) / width, (y * 255) / height, hue], (y * width + x) * 3);
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

const crop = (id: string, text?: string): CropRecord => ({
  crop_id: id, crop_path: `crops/images/${id}.jpg`, source_image: 'p', source_path: '/x', has_damage: true,
  vehicle_zone: '4', zone_description: null, zone_area: null, crop_type: 'clustered', origin: 'defect_cluster', crop_size: [40, 40],
  bbox: { x: 0, y: 0, width: 40, height: 40 }, defects: [], damage_types: ['dent'], damage_count: 1,
  grid_position: null, car_ratio: null, car_ratio_method: null, car_fallback: false, text_description: text,
});

describe('runEmbeddings (phase 3) on a tiny generated CLIP', () => {
  let dir: string;
  let manifest: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-embed-run-'));
    manifest = await writeTinyClip(join(dir, 'model'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes N × D unit vectors, metadata and generation info, and leaves out a corrupt crop', async () => {
    const ws = join(dir, 'ws');
    const paths = workspacePaths(ws);
    await writeJsonAtomic(paths.contexts, {
      version: 1,
      crops: [crop('a', 'dent on the rear door'), crop('b', 'scratch on the hood'), crop('c', 'broken'), { ...crop('d'), rejected: true }, crop('e')],
    });
    await mkdir(join(ws, 'crops/images'), { recursive: true });
    // The tiny tower reads 32 × 32: only b is larger and takes the multi-patch view.
    await writeFile(join(ws, 'crops/images/a.jpg'), await gradient(32, 32, 10));
    await writeFile(join(ws, 'crops/images/b.jpg'), await gradient(300, 60, 200));
    await writeFile(join(ws, 'crops/images/c.jpg'), Buffer.from('not a jpeg'));
    await writeFile(join(ws, 'crops/images/e.jpg'), await gradient(32, 32, 90));
    const progress: number[] = [];
    const summary = await runEmbeddings({ workspace: ws, manifestPath: manifest, batchSize: 2, onProgress: (p) => progress.push(p.done) });
    expect(summary).toMatchObject({ model: 'tiny-clip-test', crops: 4, embedded: 3, dim: DIM, provider: 'cpu', withoutText: 1, multiPatched: 1 });
    expect(progress).toEqual([2, 4]);
    expect(summary.failures.map((f) => f.crop_id)).toEqual(['c']);
    expect(summary.failures[0]!.message).toContain('c.jpg');
    // The five files are one generation, live once all are written.
    const live = liveGenerationDir(paths.embeddingsDir);
    expect(live).toBe(join(paths.embeddingsDir, 'gen-1'));
    expect(summary.path).toBe(live);
    expect((await readdir(live)).sort()).toEqual(['embeddings.npy', 'generation_info.json', 'image_embeddings.npy', 'metadata.json', 'text_embeddings.npy']);

    const npy = await readNpy(join(live, 'embeddings.npy'));
    expect(npy.shape).toEqual([3, DIM]);
    for (let i = 0; i < 3; i++) expect(Math.abs(norm(npy.data.subarray(i * DIM, (i + 1) * DIM)) - 1)).toBeLessThan(1e-4);
    const metadata = JSON.parse(await readFile(join(live, 'metadata.json'), 'utf8'));
    expect(metadata.crops.map((c: CropRecord) => [c.crop_id, c.embedding_index, c.embedding_model, c.fusion_strategy])).toEqual([
      ['a', 0, 'tiny-clip-test', 'average'],
      ['b', 1, 'tiny-clip-test', 'average'],
      ['e', 2, 'tiny-clip-test', 'average'],
    ]);
    const info = JSON.parse(await readFile(join(live, 'generation_info.json'), 'utf8'));
    expect(info).toMatchObject({ model: 'tiny-clip-test', aligned: true, dim: DIM, fusion: 'average', provider: 'cpu', embedded: 3, image_dim: DIM, text_dim: DIM });

    // The tower files hold the same rows before fusion: averaging them gives embeddings.npy back; e has no text.
    const image = await readNpy(join(live, TOWER_FILES.image));
    const text = await readNpy(join(live, TOWER_FILES.text));
    expect([image.shape, text.shape]).toEqual([[3, DIM], [3, DIM]]);
    expect(norm(text.data.subarray(2 * DIM, 3 * DIM))).toBe(0);
    for (let i = 0; i < 3; i++) {
      const row = (m: Float32Array): Float32Array => m.subarray(i * DIM, (i + 1) * DIM);
      const ownText = norm(row(text.data)) > 0 ? row(text.data) : null;
      const fused = fuse(row(image.data), ownText, { strategy: 'average', alpha: 0.5, beta: 0.5 }, DIM, DIM);
      expect(dot(fused, row(npy.data))).toBeCloseTo(1, 5);
    }

    // A query with crop a's own image and text, through the embedder the workspace's generation names, lands on
    // crop a's vector.
    const { embedder, multiPatch } = await loadQueryEmbedder(ws);
    try {
      expect(embedder.fusion.strategy).toBe('average');
      const query = await embedder.embedQuery({ imagePath: join(ws, 'crops/images/a.jpg'), text: 'dent on the rear door', multiPatch });
      expect(dot(query, npy.data.subarray(0, DIM))).toBeCloseTo(1, 4);
    } finally {
      await embedder.dispose();
    }
  });

  it('stops between batches when cancelled, writing nothing', async () => {
    const ws = join(dir, 'ws-cancel');
    await writeJsonAtomic(workspacePaths(ws).contexts, { version: 1, crops: [crop('a', 'dent')] });
    await mkdir(join(ws, 'crops/images'), { recursive: true });
    await writeFile(join(ws, 'crops/images/a.jpg'), await gradient(40, 40, 10));
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    await expect(runEmbeddings({ workspace: ws, manifestPath: manifest, signal: controller.signal })).rejects.toThrow('user cancelled');
    await expect(readdir(workspacePaths(ws).embeddingsDir)).rejects.toThrow(/ENOENT/);
    await expect(loadQueryEmbedder(ws)).rejects.toThrow(/run phase 3/);
  });
});
