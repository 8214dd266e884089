import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../../core/crops/crop-record';
import { readCropsMetadata } from '../../core/crops/metadata';
import { writeFixture, type FixtureResult } from '../../core/fixture/fixture';
import { workspacePhaseStates } from '../../core/pipeline/phase-states';
import { runPipeline } from '../../core/pipeline/pipeline';
import { setRejectedInJournal } from '../../core/review/journal';
import { readWorkspaceManifest } from '../../core/workspace/manifest';
import { workspacePaths } from '../../core/workspace/workspace';
import type { Command } from '../command';
import { runCommand } from './run';
import { sourceCommand } from './source';

let dir: string;
let workspace: string;
let lotA: FixtureResult;
let lotB: FixtureResult;
/** lot-b's crop ids before it was removed, to compare once it is back. */
let removedIds: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-source-cli-'));
  lotA = await writeFixture(join(dir, 'lot-a'), { ko: 2, ok: 1, seed: 5, width: 320, height: 240 });
  lotB = await writeFixture(join(dir, 'lot-b'), { ko: 1, ok: 1, seed: 9, width: 320, height: 240 });
  workspace = join(dir, 'workspace');
  await runPipeline({ sources: [{ path: lotA.root }, { path: lotB.root }], workspace, phases: ['crops', 'contexts', 'embed', 'index'] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cli(command: Command, positionals: string[], values: Record<string, string | boolean> = {}, json = false) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await command.run({ positionals, values, workspace, json, stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Every file of the workspace with its content hash: "nothing was written" is this, unchanged. */
async function snapshot(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(workspace, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return files;
}

const cropsOf = async (prefix: string): Promise<CropRecord[]> =>
  ((await readCropsMetadata(workspacePaths(workspace).cropsMetadata))?.crops ?? []).filter((c) => c.source_image.startsWith(prefix));

describe('carlens source', () => {
  it('lists the sources with their settings, counts and the phase states', async () => {
    const { code, stdout } = await cli(sourceCommand, ['list'], {}, true);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout);
    expect(listed.sources.map((s: { name: string; photos: number }) => [s.name, s.photos])).toEqual([['lot-a', 3], ['lot-b', 2]]);
    expect(listed.sources[1].crops).toBe((await cropsOf('lot-b__')).length);
    expect(listed.phases.index.state).toBe('done');
    expect((await cli(sourceCommand, ['list'])).stdout).toMatch(/lot-b {2}.*\n {4}state: from the annotations · label map: the folder's/);
  });

  it('refuses, before writing anything, a missing, mistyped or empty folder, a bad label map and a duplicate', async () => {
    const before = await snapshot();
    await mkdir(join(dir, 'empty'));
    await mkdir(join(dir, 'lot-c'));
    await writeFile(join(dir, 'lot-c', 'bad-map.json'), '{"map": {"scratch": "not-a-type"}}');
    const refusals: [string[], Record<string, string>, RegExp][] = [
      [['add', join(dir, 'missing')], {}, /dataset folder not found: .*missing/],
      [['add', join(lotA.root, lotA.photos[0]!.fileName)], {}, /not a folder: .*imageDANO_original\.jpg/],
      [['add', join(dir, 'empty')], {}, /empty: no photo that can be read/],
      [['add', join(dir, 'lot-c')], { 'label-map': join(dir, 'nowhere.json') }, /label map .*nowhere\.json: not found/],
      [['add', join(dir, 'lot-c')], { 'label-map': 'bad-map.json' }, /label map .*lot-c\/bad-map\.json: map\.scratch is not one of/],
      [['add', lotA.root], {}, /lot-a is already a source of/],
    ];
    for (const [args, values, message] of refusals) await expect(cli(sourceCommand, args, values)).rejects.toThrow(message);
    await expect(cli(sourceCommand, ['add', lotA.root], { state: 'dented' })).rejects.toThrow(/--state must be damaged or undamaged/);
    expect(await snapshot()).toEqual(before);
  });

  it('says what removing a source takes and does nothing without --yes', async () => {
    const before = await snapshot();
    const crops = (await cropsOf('lot-b__')).length;
    const { code, stdout, stderr } = await cli(sourceCommand, ['remove', lotB.root]);
    expect(code).toBe(1);
    expect(stdout).toContain(`would remove: ${crops} crops of 2 photos of source lot-b`);
    expect(stderr).toMatch(/nothing was removed; run it again with --yes/);
    expect(await snapshot()).toEqual(before);
  });

  it('removes the source, its crops and their files with --yes; later phases show stale, review decisions stay', async () => {
    const gone = await cropsOf('lot-b__');
    removedIds = gone.map((c) => c.crop_id);
    await setRejectedInJournal(workspace, gone[0]!.crop_id, true);
    const { code, stdout } = await cli(sourceCommand, ['remove', 'lot-b'], { yes: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/removed: \d+ crops of 2 photos of source lot-b .*1 review decision\(s\) on them stay in the journal/);
    expect(await cropsOf('lot-b__')).toEqual([]);
    expect((await cropsOf('lot-a__')).length).toBeGreaterThan(0);
    const contexts = JSON.parse(await readFile(workspacePaths(workspace).contexts, 'utf8')) as { crops: CropRecord[] };
    expect(contexts.crops.some((c) => c.source_image.startsWith('lot-b__'))).toBe(false);
    expect(gone.some((c) => existsSync(join(workspace, c.crop_path)))).toBe(false);
    expect((await readWorkspaceManifest(workspace))!.sources.map((s) => s.path)).toEqual([lotA.root]);
    const journal = JSON.parse(await readFile(workspacePaths(workspace).reviewJournal, 'utf8'));
    expect(Object.keys(journal.rejected)).toContain(gone[0]!.crop_id);
    const states = await workspacePhaseStates(workspace);
    expect([states.crops.state, states.contexts.state]).toEqual(['done', 'done']);
    expect(states.embeddings.reason).toBe('inputs changed: contexts changed (source lot-b removed) after these embeddings were made');
    expect(states.index.reason).toBe('inputs changed: contexts changed (source lot-b removed) after this index was built');
  });

  it('refuses a run over other folders than the workspace holds, before writing anything', async () => {
    const before = await snapshot();
    await expect(cli(runCommand, [], { dataset: [lotA.root, lotB.root] as never, phases: '1' })).rejects.toThrow(
      /has the sources lot-a .*--dataset names lot-a, lot-b\. .*source add DIR.*--replace; nothing was written/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('adds a source back; a run without --dataset covers the recorded sources and gives its crops their former ids', async () => {
    const { code } = await cli(sourceCommand, ['add', lotB.root]);
    expect(code).toBe(0);
    expect((await workspacePhaseStates(workspace)).crops.reason).toBe('inputs changed: source lot-b added since these crops were cut');
    const lotAIds = (await cropsOf('lot-a__')).map((c) => c.crop_id);
    const run = await cli(runCommand, [], { phases: '1' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/dataset .*lot-a: 3 photos[\s\S]*dataset .*lot-b: 2 photos/);
    expect((await cropsOf('lot-a__')).map((c) => c.crop_id)).toEqual(lotAIds);
    // Same ids as before the removal, so the review decision kept in the journal applies to its crop again.
    const back = await cropsOf('lot-b__');
    expect(back.map((c) => c.crop_id).sort()).toEqual([...removedIds].sort());
    expect(back.find((c) => c.crop_id === removedIds[0])!.rejected).toBe(true);
    expect((await workspacePhaseStates(workspace)).crops.state).toBe('done');
  });
});
