import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../../core/crops/crop-record';
import { writeTinyClip } from '../../core/embedder/tiny-clip';
import { writeJsonAtomic } from '../../core/workspace/atomic-write';
import { workspacePaths } from '../../core/workspace/workspace';
import { UsageError, type CommandContext } from '../command';
import { embedCommand } from './embed';

let dir: string;
let workspace: string;
let manifest: string;
const crop = (id: string): CropRecord => ({
  crop_id: id, crop_path: `crops/images/${id}.png`, source_image: 'p', source_path: '/x', has_damage: true,
  vehicle_zone: '4', zone_description: null, zone_area: null, crop_type: 'clustered', origin: 'defect_cluster', crop_size: [32, 32],
  bbox: { x: 0, y: 0, width: 32, height: 32 }, defects: [], damage_types: ['dent'], damage_count: 1,
  grid_position: null, car_ratio: null, car_ratio_method: null, car_fallback: false, text_description: 'dent on the hood',
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-embed-cli-'));
  manifest = await writeTinyClip(join(dir, 'model'));
  workspace = join(dir, 'ws');
  await mkdir(join(workspace, 'crops/images'), { recursive: true });
  await writeFile(join(workspace, 'crops/images/a.png'), await sharp({ create: { width: 32, height: 32, channels: 3, background: '#a05030' } }).png().toBuffer());
  await writeFile(join(workspace, 'crops/images/b.png'), Buffer.from('truncated'));
  await writeJsonAtomic(workspacePaths(workspace).contexts, { version: 1, crops: [crop('a'), crop('b')] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(values: CommandContext['values'], json = true): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await embedCommand.run({ positionals: [], values: { provider: 'cpu', ...values }, workspace, json, stdout, stderr: new PassThrough() });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe('embed command', () => {
  it('embeds, reports the failed crop and exits 1', async () => {
    const { code, stdout } = await run({ model: manifest, fusion: 'weighted', alpha: '0.6', beta: '0.4' });
    expect(code).toBe(1);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ model: 'tiny-clip-test', embedded: 1, crops: 2, dim: 16, provider: 'cpu', fusion: { strategy: 'weighted', alpha: 0.6, beta: 0.4 } });
    expect(summary.failures.map((f: { crop_id: string }) => f.crop_id)).toEqual(['b']);
  });

  it('prints a readable summary', async () => {
    const { stdout } = await run({ model: manifest }, false);
    expect(stdout).toMatch(/crops\s+1 embedded of 2; 1 failed/);
    expect(stdout).toMatch(/provider cpu/);
  });

  it('refuses average fusion for the unaligned offline model, and bad options', async () => {
    await expect(run({ fusion: 'average' })).rejects.toThrow(/not aligned/);
    await expect(run({ fusion: 'mean' })).rejects.toBeInstanceOf(UsageError);
    await expect(run({ model: manifest, alpha: '-1' })).rejects.toBeInstanceOf(UsageError);
  });
});
