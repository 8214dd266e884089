import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineSummary } from '../../core/pipeline/pipeline';
import { writeFixture } from '../../core/fixture/fixture';
import { liveGenerationDir } from '../../core/workspace/generations';
import { workspacePaths } from '../../core/workspace/workspace';
import { progressOf, startCli, type CliProcess } from './cli-process';
import { leftovers, readLiveState, type LiveState } from './workspace-audit';

/**
 * kill -9 in each phase, then the next run: the previous outputs stay live and whole, the next run takes the
 * workspace over at once, finishes with the counts of an uninterrupted run (phase 3 resuming from its finished
 * batches), validation passes, and nothing is left behind. The real CLI runs in a child process on a small
 * generated dataset (10 photos, a few dozen crops); batches of 8 crops make phase 3 last long enough to be killed in.
 */

const ENV = { CARLENS_EMBED_BATCH: '8' };
/** What the lock of a killed run leaves until the next run takes the workspace over. */
const KILLED_LOCK = ['.carlens.lock', '.carlens.lock-holder.json'];

let dir: string;
let data: string;
let ws: string;
let reference: LiveState;
let referenceVectors: Buffer;

const counts = (s: LiveState) => ({ crops: s.crops, contexts: s.contexts, embedded: s.embeddings.rows, indexed: s.index.count, validated: s.validation.count, passed: s.validation.passed });
const fusedVectors = async (): Promise<Buffer> => readFile(join(liveGenerationDir(workspacePaths(ws).embeddingsDir), 'embeddings.npy'));

async function run(args: string[]): Promise<PipelineSummary> {
  const { code, stdout, stderr } = await startCli(['run', '--dataset', data, '--workspace', ws, '--json', ...args], ENV).exited;
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as PipelineSummary;
}

/**
 * Starts a run, waits until its progress shows `phase` under way (at least `minDone` done) and, when `freezeBefore`
 * is given, until it stands just before renaming that file into place; then SIGKILLs it.
 */
async function killDuring(args: string[], phase: string, options: { minDone: number; freezeBefore?: string }): Promise<void> {
  const env = options.freezeBefore ? { ...ENV, CARLENS_FREEZE_BEFORE_RENAME: options.freezeBefore } : ENV;
  const cli: CliProcess = startCli(['run', '--dataset', data, '--workspace', ws, ...args], env);
  await cli.waitForLine((line) => {
    const progress = progressOf(line);
    return progress?.phase === phase && progress.done >= options.minDone;
  });
  if (options.freezeBefore) await cli.waitForLine((line) => line.startsWith('frozen before renaming'));
  cli.child.kill('SIGKILL');
  expect((await cli.exited).signal).toBe('SIGKILL');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-kill-replay-'));
  data = (await writeFixture(join(dir, 'data'), { ko: 6, ok: 4, seed: 3 })).root;
  ws = join(dir, 'workspace');
  await run([]);
  reference = await readLiveState(ws);
  referenceVectors = await fusedVectors();
  expect(reference.validation.passed).toBe(true);
  expect(await leftovers(ws)).toEqual([]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('kill -9 in each phase, then run again', () => {
  it('phase 1 (crops): crops.json stays whole; the next run removes orphan crop images and temp files', async () => {
    const before = await readLiveState(ws);
    await killDuring(['--force'], 'crops', { minDone: 3 });
    expect(await readLiveState(ws)).toEqual(before);
    // What a kill between writing crop images and listing them can leave, whatever this kill's timing left.
    const orphan = 'crops/images/zona1_ko_orphan_c0123456789.jpg';
    const temp = 'crops/images/.zona1_ko_orphan_c0123456789.jpg.0123456789ab.tmp';
    for (const path of [orphan, temp]) await writeFile(join(ws, path), 'half');
    expect(await leftovers(ws)).toEqual(expect.arrayContaining([orphan, temp, ...KILLED_LOCK]));

    await run([]);
    expect(counts(await readLiveState(ws))).toEqual(counts(reference));
    expect(await leftovers(ws)).toEqual([]);
  });

  it('phase 2 (contexts): contexts.json stays the previous one; its temp file goes with the next run', async () => {
    const before = await readLiveState(ws);
    const contexts = await readFile(workspacePaths(ws).contexts);
    await killDuring(['--phases', '2-5'], 'contexts', { minDone: 1, freezeBefore: 'contexts/contexts\\.json$' });
    expect(await readLiveState(ws)).toEqual(before);
    expect(Buffer.compare(await readFile(workspacePaths(ws).contexts), contexts)).toBe(0);
    expect(await leftovers(ws)).toEqual([expect.stringMatching(/^contexts\/\.contexts\.json\.[0-9a-f]{12}\.tmp$/), ...KILLED_LOCK]);

    await run(['--phases', '2-5']);
    expect(counts(await readLiveState(ws))).toEqual(counts(reference));
    expect(await leftovers(ws)).toEqual([]);
  });

  it('phase 3 (embeddings): the previous set stays live; the next run resumes and ends with the same vectors', async () => {
    const before = await readLiveState(ws);
    await killDuring(['--phases', '3-5'], 'embed', { minDone: 16 });
    expect(await readLiveState(ws)).toEqual(before);
    const unfinished = (await leftovers(ws)).filter((path) => path.startsWith('embeddings/'));
    expect(unfinished).toEqual([expect.stringMatching(/^embeddings\/gen-\d+$/)]);

    const summary = await run(['--phases', '3-5']);
    expect(summary.embeddings!.resumed).toEqual({ after: expect.any(Number), of: reference.contexts });
    expect(summary.embeddings!.resumed!.after).toBeGreaterThanOrEqual(16);
    expect(summary.embeddings!.path).toBe(join(ws, unfinished[0]!));
    expect(counts(await readLiveState(ws))).toEqual(counts(reference));
    expect(Buffer.compare(await fusedVectors(), referenceVectors)).toBe(0);
    expect(await leftovers(ws)).toEqual([]);
  });

  it('phase 4 (index): the previous generation stays live when killed just before the switch', async () => {
    const before = await readLiveState(ws);
    await killDuring(['--phases', '4-5'], 'index', { minDone: 0, freezeBefore: 'index/gen-\\d+/config\\.json$' });
    expect(await readLiveState(ws)).toEqual(before);
    expect(await leftovers(ws)).toEqual([`index/gen-${before.index.generation + 1}`, ...KILLED_LOCK]);

    await run(['--phases', '4-5']);
    const after = await readLiveState(ws);
    expect(after.index.generation).toBe(before.index.generation + 2);
    expect(counts(after)).toEqual(counts(reference));
    expect(await leftovers(ws)).toEqual([]);
  });

  it('phase 5 (validation): report.json and report.html stay one report when killed between them', async () => {
    const before = await readLiveState(ws);
    await killDuring(['--phases', '5'], 'validate', { minDone: 0, freezeBefore: 'validation/gen-\\d+/report\\.html$' });
    expect(await readLiveState(ws)).toEqual(before);
    expect(await leftovers(ws)).toEqual([expect.stringMatching(/^validation\/gen-\d+$/), ...KILLED_LOCK]);

    await run(['--phases', '5']);
    expect(counts(await readLiveState(ws))).toEqual(counts(reference));
    expect(await leftovers(ws)).toEqual([]);
  });
});
