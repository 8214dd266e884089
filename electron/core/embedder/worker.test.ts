import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { readHolder, withWorkspaceLock, workspaceLockPaths, type LockHolder } from '../workspace/lock';
import { workspacePaths } from '../workspace/workspace';
import type { EmbeddingsProgress } from './run';
import { writeTinyClip } from './tiny-clip';
import { EmbeddingCancelledError, runEmbeddingsInWorker } from './worker';

const crop = (id: string): CropRecord => ({
  crop_id: id, crop_path: `crops/images/${id}.png`, source_image: 'p', source_path: '/x', has_damage: true,
  vehicle_zone: '4', zone_description: null, zone_area: null, crop_type: 'clustered', origin: 'defect_cluster', crop_size: [32, 32],
  bbox: { x: 0, y: 0, width: 32, height: 32 }, defects: [], damage_types: ['dent'], damage_count: 1,
  grid_position: null, car_ratio: null, car_ratio_method: null, car_fallback: false, text_description: `dent number ${id}`,
});

describe('runEmbeddingsInWorker', () => {
  let dir: string;
  let manifest: string;
  let ws: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-embed-worker-'));
    manifest = await writeTinyClip(join(dir, 'model'));
    ws = join(dir, 'ws');
    await mkdir(join(ws, 'crops/images'), { recursive: true });
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`);
    for (const [i, id] of ids.entries()) {
      const pixels = Buffer.alloc(32 * 32 * 3, i * 6);
      await writeFile(join(ws, `crops/images/${id}.png`), await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
    }
    await writeJsonAtomic(workspacePaths(ws).contexts, { version: 1, crops: ids.map(crop) });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs phase 3 on a worker thread with progress events, the main loop staying free', async () => {
    const progress: EmbeddingsProgress[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const summary = await runEmbeddingsInWorker({ workspace: ws, manifestPath: manifest, batchSize: 8 }, { onProgress: (p) => progress.push(p) });
    clearInterval(timer);
    expect(summary).toMatchObject({ model: 'tiny-clip-test', embedded: 40, dim: 16 });
    expect(progress.map((p) => p.done)).toEqual([8, 16, 24, 32, 40]);
    expect(ticks).toBeGreaterThan(0);
  }, 60_000);

  it('cancels through the signal', async () => {
    const controller = new AbortController();
    const run = runEmbeddingsInWorker(
      { workspace: ws, manifestPath: manifest, batchSize: 1 },
      { onProgress: (p) => p.done === 2 && controller.abort(), signal: controller.signal },
    );
    await expect(run).rejects.toBeInstanceOf(EmbeddingCancelledError);
  }, 60_000);

  it('holds the workspace lock in the calling thread while the worker runs, and re-enters a lock the caller holds', async () => {
    let holderDuringRun: LockHolder | null = null;
    const summary = await runEmbeddingsInWorker(
      { workspace: ws, manifestPath: manifest, batchSize: 20 },
      { onProgress: () => (holderDuringRun ??= readHolder(workspaceLockPaths(ws).holder)) },
    );
    expect(summary.embedded).toBe(40);
    expect(holderDuringRun).toMatchObject({ pid: process.pid, what: 'phase 3 (embeddings)' });
    expect(existsSync(workspaceLockPaths(ws).lock)).toBe(false);
    // Inside a pipeline-like caller that already holds it: no refusal from the worker, the caller's record kept.
    const nested = await withWorkspaceLock(ws, 'pipeline run (embed)', () => runEmbeddingsInWorker({ workspace: ws, manifestPath: manifest, batchSize: 20 }));
    expect(nested.embedded).toBe(40);
  }, 60_000);

  it('reports a run that fails inside the worker as an error naming the cause', async () => {
    await expect(runEmbeddingsInWorker({ workspace: join(dir, 'empty'), manifestPath: manifest })).rejects.toThrow(/no crops in/);
  }, 60_000);
});
