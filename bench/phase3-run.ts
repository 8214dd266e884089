/**
 * bench/embedder.ts's phase 3 row: runEmbeddings over a temporary workspace holding the bench's crops `copies` times
 * (files and a contexts.json), so the batch pipelining, the checkpoint writes and the outputs count, beside the
 * tower alone. The wall time is the run's own embed time (loading the models left out); the CPU time is the call's.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CropRecord } from '../electron/core/crops/crop-record';
import { runEmbeddings } from '../electron/core/embedder/run';
import { writeJsonAtomic } from '../electron/core/workspace/atomic-write';
import { workspacePaths } from '../electron/core/workspace/workspace';

const record = (id: string, text: string): CropRecord => ({
  crop_id: id, crop_path: `crops/images/${id}.jpg`, source_image: id, source_path: '/bench', has_damage: false,
  vehicle_zone: '4', zone_description: null, zone_area: null, crop_type: 'grid', origin: 'undamaged_photo_grid', crop_size: [224, 224],
  bbox: { x: 0, y: 0, width: 224, height: 224 }, defects: [], damage_types: [], damage_count: 0,
  grid_position: null, car_ratio: null, car_ratio_method: null, car_fallback: false, text_description: text,
});

export interface PhaseRun {
  crops: number;
  wall: number;
  cpu: number;
}

/** Times the second of two runEmbeddings over the crops (the first derives the tower into the workspace's cache). */
export async function timePhase3(manifestPath: string, small: Buffer[], large: string[], texts: string[], copies = 4): Promise<PhaseRun> {
  const workspace = await mkdtemp(join(tmpdir(), 'carlens-bench-phase3-'));
  try {
    const images = join(workspace, 'crops', 'images');
    await mkdir(images, { recursive: true });
    const ids: string[] = [];
    for (let copy = 0; copy < copies; copy++) {
      for (const [i, jpeg] of small.entries()) ids.push(await writeCrop(images, `s${i}-${copy}`, jpeg));
      for (const [i, path] of large.entries()) ids.push(await writeCrop(images, `l${i}-${copy}`, await readFile(path)));
    }
    await writeJsonAtomic(workspacePaths(workspace).contexts, { version: 1, crops: ids.map((id, i) => record(id, texts[i % texts.length]!)) });
    await runEmbeddings({ workspace, manifestPath, batchSize: 16 });
    const cpu = process.cpuUsage();
    const summary = await runEmbeddings({ workspace, manifestPath, batchSize: 16 });
    const used = process.cpuUsage(cpu);
    return { crops: ids.length, wall: 1000 * summary.seconds.embed, cpu: (used.user + used.system) / 1000 };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

async function writeCrop(dir: string, id: string, jpeg: Buffer): Promise<string> {
  await writeFile(join(dir, `${id}.jpg`), jpeg);
  return id;
}
