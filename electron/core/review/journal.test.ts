import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setContextOverride } from '../contexts/overrides';
import type { CropRecord } from '../crops/crop-record';
import { readCropsMetadata } from '../crops/metadata';
import { loadQueryEmbedder } from '../embedder/query';
import { writeFixture } from '../fixture/fixture';
import { LocalIndex } from '../index';
import { runPipeline, type PipelinePhase } from '../pipeline/pipeline';
import { writeFileAtomic } from '../workspace/atomic-write';
import { liveGenerationDir } from '../workspace/generations';
import { workspacePaths } from '../workspace/workspace';
import { readJournal, setRejectedInJournal } from './journal';

/** Review decisions kept by stable crop id in review/journal.json, through every subset of phases. */
let dir: string;
let data: string;
let ws: string;
let rejected: CropRecord;
let edited: CropRecord;
const TEXT = 'Hand-checked: a deep dent low on the rear door, paint cracked around it.';

const crops = async () => (await readCropsMetadata(workspacePaths(ws).cropsMetadata))!.crops;
const run = (phases: PipelinePhase[], force = false) => runPipeline({ sources: [{ path: data }], workspace: ws, phases, force });
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-journal-'));
  data = join(dir, 'dataset');
  ws = join(dir, 'ws');
  await writeFixture(data, { ko: 3, ok: 2, seed: 23, width: 320, height: 240 });
  await run(['crops', 'contexts', 'embed', 'index']);
  const clustered = (await crops()).filter((c) => c.origin === 'defect_cluster');
  edited = clustered[0]!;
  rejected = clustered.find((c) => c.source_image !== edited.source_image)!;
  expect(rejected).toBeDefined();
  await setRejectedInJournal(ws, rejected.crop_id, true);
  await setContextOverride(ws, edited.crop_id, TEXT);
}, 240_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The live index lacks the rejected crop and holds the edit: its text, and the vector of crop + text. */
async function expectDecisionsInIndex(): Promise<void> {
  const index = await LocalIndex.open(ws);
  expect(index.rowOf(rejected.crop_id)).toBeUndefined();
  const row = index.rowOf(edited.crop_id)!;
  expect(index.records[row]).toMatchObject({ text_description: TEXT, context_edited: true });
  const { embedder, multiPatch } = await loadQueryEmbedder(ws);
  try {
    const expected = await embedder.embedCrop({ image: join(ws, edited.crop_path), text: TEXT }, { multiPatch });
    expect(cosine(index.vector(row), expected)).toBeGreaterThan(0.9999);
  } finally {
    await embedder.dispose();
  }
}

describe('review journal', () => {
  it('gives the same content-derived ids on a forced second phase 1', async () => {
    const before = (await crops()).map((c) => c.crop_id);
    expect(before.every((id) => /^.+_[cgw][0-9a-f]{10}$/.test(id))).toBe(true);
    const again = await run(['crops'], true);
    expect(again.crops!.processed).toBe(5);
    expect((await crops()).map((c) => c.crop_id)).toEqual(before);
  }, 120_000);

  it('keeps a rejection and a context edit through phase 4 alone', async () => {
    await run(['index']);
    await expectDecisionsInIndex();
  }, 120_000);

  it('keeps them through phases 3 + 4', async () => {
    const summary = await run(['embed', 'index']);
    const meta = JSON.parse(await readFile(join(liveGenerationDir(workspacePaths(ws).embeddingsDir), 'metadata.json'), 'utf8')) as { crops: CropRecord[] };
    expect(meta.crops.some((c) => c.crop_id === rejected.crop_id)).toBe(false);
    expect(meta.crops.find((c) => c.crop_id === edited.crop_id)).toMatchObject({ text_description: TEXT, context_edited: true });
    expect(summary.index!.skipped_rejected).toBe(0);
    await expectDecisionsInIndex();
  }, 120_000);

  it('keeps them through phases 1-5 (runPipeline, forced)', async () => {
    const summary = await run(['crops', 'contexts', 'embed', 'index', 'validate'], true);
    expect(summary.crops!.orphanedReview).toEqual([]);
    expect((await crops()).filter((c) => c.rejected).map((c) => c.crop_id)).toEqual([rejected.crop_id]);
    const contexts = JSON.parse(await readFile(workspacePaths(ws).contexts, 'utf8')) as { crops: CropRecord[] };
    expect(contexts.crops.find((c) => c.crop_id === edited.crop_id)).toMatchObject({ text_description: TEXT, context_edited: true });
    expect(contexts.crops.filter((c) => c.context_edited).map((c) => c.crop_id)).toEqual([edited.crop_id]);
    await expectDecisionsInIndex();
  }, 240_000);

  it('keeps other photos\' ids when one annotation moves, and reports the moved crop\'s edit as orphaned', async () => {
    const before = await crops();
    // Mirror the edited photo's annotations left-right: its defects, hence its crop boxes, move far.
    const stem = basename(edited.source_path).replace('imageDANO_original.jpg', '');
    for (const name of [`${stem}imageDANO_original.json`, `${stem}labelDANO_modificado.json`]) {
      const path = join(dirname(edited.source_path), name);
      const json = JSON.parse(await readFile(path, 'utf8')) as { imageWidth: number; shapes: { points: [number, number][] }[] };
      for (const s of json.shapes) s.points = s.points.map(([x, y]) => [json.imageWidth - 1 - x, y]);
      await writeFileAtomic(path, JSON.stringify(json));
    }
    const summary = await run(['crops', 'contexts']);
    expect(summary.crops!.processed).toBe(1);
    expect(summary.crops!.orphanedReview).toEqual([edited.crop_id]);
    expect(summary.crops!.warnings.some((w) => w.includes(edited.crop_id) && w.includes('no longer exists'))).toBe(true);
    const after = await crops();
    const others = (list: CropRecord[]) => list.filter((c) => c.source_image !== edited.source_image).map((c) => c.crop_id);
    expect(others(after)).toEqual(others(before));
    expect(after.some((c) => c.crop_id === edited.crop_id)).toBe(false);
    // The edit stays in the journal and goes to no other crop; the rejection of the other photo's crop holds.
    expect((await readJournal(ws)).contexts[edited.crop_id]?.text).toBe(TEXT);
    const contexts = JSON.parse(await readFile(workspacePaths(ws).contexts, 'utf8')) as { crops: CropRecord[] };
    expect(contexts.crops.filter((c) => c.context_edited || c.text_description === TEXT)).toEqual([]);
    expect(after.filter((c) => c.rejected).map((c) => c.crop_id)).toEqual([rejected.crop_id]);
  }, 120_000);
});
