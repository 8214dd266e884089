import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Retriever } from '../retriever';
import { workspacePaths } from '../workspace/workspace';
import { buildIndex, LocalIndex } from '.';
import { IndexService, pointerStamp } from './service';
import { writeSyntheticEmbeddings } from './synthetic';

const DIM = 16;
const COUNT = 400;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'carlens-index-service-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A workspace with a built index, and a service over it that counts every read of a generation. */
async function indexedWorkspace(name: string) {
  const ws = join(root, name);
  await writeSyntheticEmbeddings(ws, { count: COUNT, dim: DIM, seed: 11 });
  await buildIndex({ workspace: ws });
  const reads = { count: 0 };
  const service = new IndexService(ws, (workspace) => {
    reads.count++;
    return LocalIndex.open(workspace);
  });
  return { ws, service, reads };
}

/** Another writer (the CLI, another app) rejecting a crop: a new generation behind the service's back. */
async function rejectElsewhere(ws: string, cropId: string): Promise<number> {
  const other = await LocalIndex.open(ws);
  return (await other.rejectCrop(cropId)).generation;
}

describe('IndexService', () => {
  it('reads the live generation once: later searches reuse it without reading any index file', async () => {
    const { service, reads } = await indexedWorkspace('once');
    const first = await service.current();
    const query = first.vector(5);
    const before = Retriever.over(first).search(query, { k: 3, filters: { has_damage: true } });
    for (let i = 0; i < 5; i++) expect(await service.current()).toBe(first);
    expect(reads.count).toBe(1);
    // The retriever is shared too, and answers the same.
    const again = await service.current();
    expect(Retriever.over(again)).toBe(Retriever.over(first));
    expect(Retriever.over(again).search(query, { k: 3, filters: { has_damage: true } })).toEqual(before);
  });

  it('picks up a generation another writer switched to (a reject, then a phase 4 rebuild) on the next search', async () => {
    const { ws, service, reads } = await indexedWorkspace('switch');
    const first = await service.current();
    const gone = first.records[0]!.crop_id;
    const generation = await rejectElsewhere(ws, gone);
    const afterReject = await service.current();
    expect(afterReject).not.toBe(first);
    expect(afterReject.config.generation).toBe(generation);
    expect(afterReject.rowOf(gone)).toBeUndefined();
    expect(afterReject.size).toBe(COUNT - 1);

    const rebuilt = await buildIndex({ workspace: ws });
    const afterBuild = await service.current();
    expect(afterBuild.config.generation).toBe(rebuilt.generation);
    expect(afterBuild.config.source).toBe('embeddings');
    expect(reads.count).toBe(3);
  });

  it('reads a switched generation once for searches that arrive together', async () => {
    const { ws, service, reads } = await indexedWorkspace('together');
    const first = await service.current();
    await rejectElsewhere(ws, first.records[1]!.crop_id);
    const all = await Promise.all(Array.from({ length: 8 }, () => service.current()));
    expect(reads.count).toBe(2);
    expect(new Set(all).size).toBe(1);
    expect(all[0]).not.toBe(first);
  });

  it('lets a search in flight finish on its generation after the switch deleted that generation from disk', async () => {
    const { ws, service } = await indexedWorkspace('in-flight');
    const held = await service.current();
    const oldDir = join(workspacePaths(ws).indexDir, `gen-${held.config.generation}`);
    const query = held.vector(7);
    await rejectElsewhere(ws, held.records[3]!.crop_id);
    // Publishing the new generation pruned the old folder: the held one is whole in memory.
    expect(await readdir(workspacePaths(ws).indexDir)).not.toContain(`gen-${held.config.generation}`);
    await expect(readdir(oldDir)).rejects.toThrow(/ENOENT/);
    const hits = Retriever.over(held).search(query, { k: 5, filters: { vehicle_zone: held.records[7]!.vehicle_zone ?? undefined } });
    expect(hits[0]!.crop_id).toBe(held.records[7]!.crop_id);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect((await service.current()).rowOf(held.records[3]!.crop_id)).toBeUndefined();
  });

  it("keeps an edit's generation live without reading it back, and still sees a later switch by another writer", async () => {
    const { ws, service, reads } = await indexedWorkspace('edit');
    const index = await service.current();
    const gone = index.records[2]!.crop_id;
    const query = index.vector(2);
    const filters = { has_damage: index.records[2]!.has_damage };
    expect(Retriever.over(index).search(query, { k: 3, filters })[0]!.crop_id).toBe(gone);
    const config = await service.edit((live) => live.rejectCrop(gone));
    const after = await service.current();
    expect(after).toBe(index);
    expect(after.config.generation).toBe(config.generation);
    expect(after.rowOf(gone)).toBeUndefined();
    // The retriever's rows passing a filter are those of the new generation, not the rows before the reject.
    const hits = Retriever.over(after).search(query, { k: 3, filters });
    expect(hits.map((h) => h.crop_id)).not.toContain(gone);
    expect(hits.every((h) => h.has_damage === filters.has_damage)).toBe(true);
    expect(reads.count).toBe(1);

    await rejectElsewhere(ws, index.records[4]!.crop_id);
    expect(await service.current()).not.toBe(index);
    expect(reads.count).toBe(2);
  });

  it('says there is no index, then reads the first one built', async () => {
    const ws = join(root, 'none');
    await writeSyntheticEmbeddings(ws, { count: 50, dim: DIM, seed: 2 });
    const service = new IndexService(ws);
    await expect(service.current()).rejects.toThrow(/no index in .*run `carlens index` first/);
    await buildIndex({ workspace: ws });
    expect((await service.current()).size).toBe(50);
  });
});

describe('pointerStamp', () => {
  it('changes on every switch of the pointer and is "none" without one', async () => {
    const { ws } = await indexedWorkspace('stamp');
    const pointer = join(workspacePaths(ws).indexDir, 'current');
    const before = await pointerStamp(pointer);
    expect(await pointerStamp(pointer)).toBe(before);
    await rejectElsewhere(ws, 'crop-000000');
    expect(await pointerStamp(pointer)).not.toBe(before);
    expect(await pointerStamp(join(root, 'nowhere', 'current'))).toBe('none');
  });
});
