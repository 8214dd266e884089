import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../core/models/paths';
import { inspectCommand } from './inspect';

const datasets = join(sharedDir(), 'datasets');
// Held-out photos of the claim-grouped split: the damage heads never saw them.
const CLEAN = join(datasets, 'car-parts-undamaged', 'train101.jpg');
const DAMAGED = join(datasets, 'bilgi-car-damage', '000511_jpg.rf.01151dfec800a314140f2688ac936f87.jpg');

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'carlens-inspect-cli-'));
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

async function inspect(photo: string, json: boolean): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await inspectCommand.run({ positionals: [photo], values: { k: '5' }, workspace, json, stdout, stderr: new PassThrough() });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe.skipIf(!existsSync(datasets))('carlens inspect on held-out real photos (a workspace without an index: heads only)', () => {
  it('answers "no" for a clean car-parts photo and "yes" for a damaged bilgi photo, with the probability and the windows', async () => {
    const clean = await inspect(CLEAN, false);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^damage: no — P\(damaged\) \d+ %$/m);
    expect(clean.stdout).toMatch(/^windows \(best first; damaged when the score ≥ 0\.\d+\):$/m);
    expect(clean.stdout).toMatch(/no neighbours: .*run phase 3/);
    const damaged = await inspect(DAMAGED, false);
    expect(damaged.stdout).toMatch(/^damage: yes — P\(damaged\) \d+ %$/m);
    expect(damaged.stdout).toMatch(/^types: {2}[a-z_]+ \d+ %/m);
    expect(damaged.stdout).toMatch(/^ {2}DAMAGE {2}score 0\.\d+ {2}at \d+,\d+ \d+×\d+/m);
  }, 60_000);

  it('--json gives the whole inspection: probability, verdict, windows best first, heatmap', async () => {
    const { stdout } = await inspect(DAMAGED, true);
    const result = JSON.parse(stdout);
    expect(result.damage.verdict).toBe('damaged');
    expect(result.damage.probability).toBeGreaterThan(0.7);
    expect(result.heatmap.values).toHaveLength(result.heatmap.cols * result.heatmap.rows);
    const scores = result.windows.map((w: { score: number }) => w.score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    expect(result.retrieval_unavailable).toMatch(/run phase 3/);
  }, 60_000);
});
