import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type FixtureResult } from '../fixture/fixture';
import { LocalIndex } from '../index';
import { setRejectedInJournal, updateJournal } from '../review/journal';
import { validationReportPaths, type ValidationReport } from '../validation';
import { indexStaleness, workspacePhaseStates } from './phase-states';
import { runPipeline, type PipelinePhase } from './pipeline';

/** The staleness chain on a real pipeline over two small fixture folders (real models, real files; ~4 s a run). */
let dir: string;
let workspace: string;
let lotB: FixtureResult;

const run = (phases?: PipelinePhase[]) => runPipeline({ workspace, phases });
async function states(): Promise<Record<string, string>> {
  return Object.fromEntries(Object.values(await workspacePhaseStates(workspace)).map((s) => [s.phase, s.reason ? `stale: ${s.reason}` : s.state]));
}
const report = async (): Promise<ValidationReport> => JSON.parse(await readFile(validationReportPaths(workspace).json, 'utf8')) as ValidationReport;
const ALL_DONE = { crops: 'done', contexts: 'done', embeddings: 'done', index: 'done', validation: 'done' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-phase-states-'));
  const lotA = await writeFixture(join(dir, 'lot-a'), { ko: 2, ok: 1, seed: 5, width: 320, height: 240 });
  lotB = await writeFixture(join(dir, 'lot-b'), { ko: 1, ok: 1, seed: 9, width: 320, height: 240 });
  workspace = join(dir, 'workspace');
  await runPipeline({ sources: [{ path: lotA.root }, { path: lotB.root }], workspace });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('phase states from workspace.json', () => {
  it('are all done after a full run, with counts and times', async () => {
    expect(await states()).toEqual(ALL_DONE);
    const { crops, embeddings } = await workspacePhaseStates(workspace);
    expect(crops.counts).toMatchObject({ photos: 5 });
    expect(embeddings.counts.embedded).toBe(crops.counts.crops);
    expect(Date.parse(crops.finished_at!)).not.toBeNaN();
    expect(await indexStaleness(workspace)).toBeNull();
  });

  it('stay done when phase 1 runs again over unchanged photos, and through review edits (a rejection, a hand-written context)', async () => {
    await run(['crops']);
    expect(await states()).toEqual(ALL_DONE);
    const index = await LocalIndex.open(workspace);
    const cropId = index.records[0]!.crop_id;
    await setRejectedInJournal(workspace, cropId, true);
    await index.rejectCrop(cropId);
    const edited = index.records[1]!.crop_id;
    await updateJournal(workspace, 'test: context edit', (j) => {
      j.contexts[edited] = { text: 'A hand-written context.', at: new Date().toISOString() };
    });
    expect(await states()).toEqual(ALL_DONE);
    // Phases that re-apply the decisions produce the same outputs as far as the next phase is concerned.
    await run(['crops', 'contexts']);
    expect(await states()).toEqual(ALL_DONE);
  });

  it('mark phase 1 stale when a source folder changes, then every later phase once phase 1 re-cuts', async () => {
    const undamaged = lotB.photos.find((p) => p.state === 'undamaged')!.fileName;
    await rm(join(lotB.root, undamaged));
    await rm(join(lotB.root, undamaged.replace(/\.jpg$/, '.json')));
    expect((await states()).crops).toBe('stale: inputs changed: the files of source lot-b changed since these crops were cut');
    expect(await indexStaleness(workspace)).toBe('inputs changed: the dataset changed (the files of source lot-b changed) after this index was built');

    await run(['crops']);
    expect(await states()).toEqual({
      crops: 'done',
      contexts: 'stale: inputs changed: crops were re-cut after these contexts were written',
      embeddings: 'stale: inputs changed: crops were re-cut after these embeddings were made',
      index: 'stale: inputs changed: crops were re-cut after this index was built',
      validation: 'stale: inputs changed: crops were re-cut after this validation ran',
    });
  });

  it('say so in the validation report of a stale index, and are all done once phases 2-5 ran again', async () => {
    await run(['validate']);
    expect((await report()).index_stale).toBe('inputs changed: crops were re-cut after this index was built');
    await run(['contexts', 'embed', 'index']);
    expect((await states()).validation).toBe('stale: inputs changed: the index was rebuilt after this validation ran');
    await run(['validate']);
    expect(await states()).toEqual(ALL_DONE);
    expect((await report()).index_stale).toBeNull();
  });
});
