import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import { buildIndex } from '../index';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { liveGenerationDir } from '../workspace/generations';
import { workspacePaths } from '../workspace/workspace';
import { loadQueryEmbedder } from './query';
import { PHASE3_FILES, runEmbeddings, type RunEmbeddingsOptions } from './run';
import { writeTinyClip } from './tiny-clip';

const OUTPUTS = Object.values(PHASE3_FILES);
const CROPS = 9;
const BATCH = 2;

const crop = (i: number): CropRecord => ({
  crop_id: `k${i}`, crop_path: `crops/images/k${i}.png`, source_image: `p${i >> 1}`, source_path: '/x', has_damage: i % 2 === 0,
  vehicle_zone: '4', zone_description: null, zone_area: null, crop_type: 'clustered', origin: 'defect_cluster', crop_size: [40, 40],
  bbox: { x: 0, y: 0, width: 40, height: 40 }, defects: [], damage_types: i % 2 === 0 ? ['dent'] : [], damage_count: i % 2 === 0 ? 1 : 0,
  grid_position: null, car_ratio: null, car_ratio_method: null, car_fallback: false,
  // Crop 3 has no text; crop 6's image is not an image (reported, left out).
  text_description: i === 3 ? undefined : `crop ${i}: dent on panel ${i}`,
});

let dir: string;
let manifest: string;
let reference: string;

/** A workspace of CROPS crops (their images and contexts), as phase 2 leaves it. */
async function inputs(name: string): Promise<string> {
  const ws = join(dir, name);
  await mkdir(join(ws, 'crops/images'), { recursive: true });
  for (let i = 0; i < CROPS; i++) {
    const size = 24 + 8 * i; // from 24 px to 88 px: the larger ones take the multi-patch view of the 32 px tower
    const image = i === 6 ? Buffer.from('not an image') : await sharp({ create: { width: size, height: size, channels: 3, background: { r: 20 * i, g: 200 - 15 * i, b: 90 } } }).png().toBuffer();
    await writeFile(join(ws, `crops/images/k${i}.png`), image);
  }
  await writeJsonAtomic(workspacePaths(ws).contexts, { version: 1, crops: Array.from({ length: CROPS }, (_, i) => crop(i)) });
  return ws;
}

const embed = (ws: string, extra: Partial<RunEmbeddingsOptions> = {}) => runEmbeddings({ workspace: ws, manifestPath: manifest, batchSize: BATCH, ...extra });

/** Runs phase 3 and stops it once `after` crops are done, as Ctrl-C would; the finished batches stay. */
async function interrupted(ws: string, after: number, extra: Partial<RunEmbeddingsOptions> = {}): Promise<string> {
  const controller = new AbortController();
  const onProgress = ({ done }: { done: number }) => done >= after && controller.abort(new Error('stopped'));
  await expect(embed(ws, { ...extra, signal: controller.signal, onProgress })).rejects.toThrow('stopped');
  const { embeddingsDir } = workspacePaths(ws);
  const folders = (await readdir(embeddingsDir)).filter((n) => n.startsWith('gen-'));
  expect(folders).toHaveLength(1);
  return join(embeddingsDir, folders[0]!);
}

async function expectSameOutputs(ws: string): Promise<void> {
  const live = liveGenerationDir(workspacePaths(ws).embeddingsDir);
  expect((await readdir(live)).sort()).toEqual([...OUTPUTS].sort());
  for (const name of [PHASE3_FILES.fused, PHASE3_FILES.image, PHASE3_FILES.text, PHASE3_FILES.metadata]) {
    expect(Buffer.compare(await readFile(join(live, name)), await readFile(join(reference, name))), name).toBe(0);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-embed-resume-'));
  manifest = await writeTinyClip(join(dir, 'model'));
  const ws = await inputs('reference');
  const summary = await embed(ws);
  expect(summary).toMatchObject({ crops: CROPS, embedded: CROPS - 1, withoutText: 1, resumed: null });
  reference = summary.path;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('phase 3 checkpoints', () => {
  it('resume after the last finished batch, dropping a torn row, and give the vectors of an uninterrupted run', async () => {
    const ws = await inputs('torn');
    const unfinished = await interrupted(ws, 4);
    // Nothing is live yet: queries and phase 4 still say phase 3 has not run.
    await expect(loadQueryEmbedder(ws)).rejects.toThrow(/run phase 3/);
    // A kill in the middle of the next batch: half a row of each matrix and half a log line.
    for (const name of ['fused.f32', 'image.f32', 'text.f32']) await appendFile(join(unfinished, name), Buffer.alloc(10, 7));
    await appendFile(join(unfinished, 'rows.jsonl'), '{"crop":4,"ro');

    const progress: number[] = [];
    const summary = await embed(ws, { onProgress: ({ done }) => progress.push(done) });
    expect(summary.resumed).toEqual({ after: 4, of: CROPS });
    expect(progress).toEqual([6, 8, 9]);
    expect(summary).toMatchObject({ embedded: CROPS - 1, withoutText: 1, failures: [expect.objectContaining({ crop_id: 'k6' })] });
    expect(summary.path).toBe(unfinished);
    await expectSameOutputs(ws);
    expect(await readdir(workspacePaths(ws).embeddingsDir)).toEqual(['current', 'gen-1']);
  });

  it('resume only the rows whose vectors all reached the disk', async () => {
    const ws = await inputs('short-matrix');
    const unfinished = await interrupted(ws, 6);
    // Crops 0-5 have rows 0-5 (the tiny towers give 16 values): a power cut kept 3 whole image rows and a bit.
    // Crop 2 is whole but its batch (crops 2-3) is not: the run resumes at that batch, as it would have made it.
    await truncate(join(unfinished, 'image.f32'), 3 * 16 * 4 + 5);
    const summary = await embed(ws);
    expect(summary.resumed).toEqual({ after: 2, of: CROPS });
    await expectSameOutputs(ws);
  });

  it('start afresh, removing the unfinished generation, when it was made another way', async () => {
    const ws = await inputs('other-plan');
    const unfinished = await interrupted(ws, 4, { multiPatch: false });
    const checkpointed = await readFile(join(unfinished, 'progress.json'), 'utf8');
    const summary = await embed(ws);
    expect(summary.resumed).toBeNull();
    expect(checkpointed).toContain('"multi_patch": false');
    await expectSameOutputs(ws);
    expect((await readdir(workspacePaths(ws).embeddingsDir)).filter((n) => n.startsWith('gen-'))).toEqual([summary.path.split('/').at(-1)]);
  });

  it('replace a flat-layout output cleanly, and keep the previous set live when a run fails', async () => {
    const ws = await inputs('flat');
    const { embeddingsDir } = workspacePaths(ws);
    // An older workspace: the five files directly in embeddings/, no `current`. Readers take it as the live set.
    await cp(reference, embeddingsDir, { recursive: true });
    expect(liveGenerationDir(embeddingsDir)).toBe(embeddingsDir);
    await expect(buildIndex({ workspace: ws })).resolves.toMatchObject({ count: CROPS - 1 });

    const first = await embed(ws);
    expect(await readdir(embeddingsDir)).toEqual(['current', 'gen-1']);
    await expectSameOutputs(ws);

    // Every image now fails: the run fails, its generation is removed and gen-1 stays live and whole.
    for (let i = 0; i < CROPS; i++) await writeFile(join(ws, `crops/images/k${i}.png`), 'broken');
    await expect(embed(ws)).rejects.toThrow(/no crop could be embedded \(9 failed\)/);
    expect(await readdir(embeddingsDir)).toEqual(['current', 'gen-1']);
    expect(liveGenerationDir(embeddingsDir)).toBe(first.path);
    await expectSameOutputs(ws);
  });
});
