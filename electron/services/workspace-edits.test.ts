import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCropsMetadata } from '../core/crops/metadata';
import { writeFixture } from '../core/fixture/fixture';
import { LocalIndex } from '../core/index';
import { selfCheck, selfCheckFailure } from '../core/index/self-check';
import { readCurrent } from '../core/index/store';
import { runPipeline } from '../core/pipeline/pipeline';
import { withWorkspaceLock, WorkspaceBusyError } from '../core/workspace/lock';
import { workspacePaths } from '../core/workspace/workspace';
import { AppService } from './app-service';
import { readContextsFile } from './context-service';

/** Review edits sent together to one AppService (what the bridge does with concurrent HTTP requests). */
let dir: string;
let ws: string;
let service: AppService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-edits-'));
  ws = join(dir, 'ws');
  const data = join(dir, 'dataset');
  await writeFixture(data, { ko: 4, ok: 3, seed: 11, width: 320, height: 240 });
  await runPipeline({ sources: [{ path: data }], workspace: ws, phases: ['crops', 'contexts', 'embed', 'index'] });
  service = new AppService({ defaultWorkspace: ws });
  await service.call('openDataset', { path: data });
}, 120_000);
afterAll(async () => {
  await service?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('concurrent review edits', () => {
  it('keeps all of 8 context saves and rejects sent at once, and leaves an index that opens and passes its self-check', async () => {
    const before = await LocalIndex.open(ws);
    const ids = before.records.map((r) => r.crop_id);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    const edited = ids.slice(0, 4);
    const rejected = ids.slice(4, 8);
    const text = (id: string) => `Hand-checked context for ${id}: scratch on the door.`;

    // Interleaved, all in flight before the first one finishes.
    const results = await Promise.allSettled(
      edited.flatMap((cropId, i) => [
        service.call('saveContext', { cropId, text: text(cropId) }),
        service.call('setCropRejected', { cropId: rejected[i]!, rejected: true }),
      ]),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    // Every context edit and every reject is in the review journal, and the edits in contexts.json.
    const journal = JSON.parse(await readFile(workspacePaths(ws).reviewJournal, 'utf8')) as { rejected: Record<string, unknown>; contexts: Record<string, { text: string }> };
    expect(Object.fromEntries(edited.map((id) => [id, journal.contexts[id]?.text]))).toEqual(Object.fromEntries(edited.map((id) => [id, text(id)])));
    expect(Object.keys(journal.rejected).sort()).toEqual([...rejected].sort());
    const contexts = await readContextsFile(ws);
    for (const id of edited) expect(contexts!.crops.find((c) => c.crop_id === id)!.text_description).toBe(text(id));
    // Every reject is in crops.json.
    const crops = await readCropsMetadata(workspacePaths(ws).cropsMetadata);
    expect(crops!.crops.filter((c) => c.rejected).map((c) => c.crop_id).sort()).toEqual([...rejected].sort());

    // The index: one generation per edit, none lost; the live one has all four edits and none of the rejects.
    expect(await readCurrent(workspacePaths(ws).indexDir)).toBe(before.config.generation + 8);
    const after = await LocalIndex.open(ws);
    expect(after.size).toBe(before.size - 4);
    for (const id of rejected) expect(after.rowOf(id)).toBeUndefined();
    for (const id of edited) expect(after.records[after.rowOf(id)!]).toMatchObject({ text_description: text(id), context_edited: true });
    expect(after.config.skipped_rejected).toBe(before.config.skipped_rejected + 4);
    const vectors = new Float32Array(after.size * after.config.dim);
    for (let row = 0; row < after.size; row++) vectors.set(after.vector(row), row * after.config.dim);
    const { createFaissIndex } = await import('../core/index/faiss');
    const check = selfCheck(createFaissIndex(after.config.index_type, vectors, after.config.dim), vectors, after.config.dim);
    expect(selfCheckFailure(check, after.config.index_type)).toBeNull();
    expect(selfCheckFailure(after.config.self_check, after.config.index_type)).toBeNull();
  }, 120_000);

  it('refuses an edit while another writer holds the workspace, and changes nothing', async () => {
    const cropId = (await LocalIndex.open(ws)).records[0]!.crop_id;
    const journalBefore = await readFile(workspacePaths(ws).reviewJournal, 'utf8');
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((done) => (entered = done));
    const holding = withWorkspaceLock(ws, 'carlens run', () =>
      new Promise<void>((done) => {
        release = done;
        entered();
      }),
    );
    await inside;
    const refused = await service.call('saveContext', { cropId, text: 'Never saved.' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkspaceBusyError);
    expect((refused as Error).message).toMatch(/is being written by this process, pid \d+ \(carlens run, since/);
    await expect(service.call('setCropRejected', { cropId, rejected: true })).rejects.toThrow(/carlens run/);
    // A run started from the app meanwhile fails at once, its first phase naming the holder.
    await service.call('runPhase', { phase: 'all' });
    await service.runner.current;
    const phases = service.runner.status().phases;
    expect(phases[0]).toMatchObject({ status: 'failed', message: expect.stringMatching(/\(carlens run, since/) });
    expect(phases.slice(1).map((p) => p.status)).toEqual(['idle', 'idle', 'idle', 'idle']);
    release();
    await holding;
    expect(await readFile(workspacePaths(ws).reviewJournal, 'utf8')).toBe(journalBefore);
    expect((await LocalIndex.open(ws)).rowOf(cropId)).toBeDefined();
  });
});
