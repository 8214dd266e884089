import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../bridge/server';
import { writeFixtureWorkspace, type FixtureWorkspace } from '../core/fixture/workspace-fixture';
import type { PipelineStatus, Response } from '../shared/ipc-contract';
import { AppService } from './app-service';

/** The source channels through the HTTP bridge over a real AppService and a pipeline-built workspace of two folders. */
let dir: string;
let built: FixtureWorkspace;
let service: AppService;
let bridge: Bridge;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-sources-'));
  built = await writeFixtureWorkspace(dir);
  service = new AppService({ defaultWorkspace: join(dir, 'default-ws') });
  await service.call('openWorkspace', { path: built.workspace });
  await mkdir(join(dir, 'ui'));
  await writeFile(join(dir, 'ui', 'index.html'), '<!doctype html><title>ui</title>');
  bridge = await startBridge({ service, rendererDir: join(dir, 'ui') });
});
afterAll(async () => {
  await bridge?.close();
  await service?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function api<T>(channel: string, body: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${bridge.url}/api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-carlens-token': bridge.token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

const lotB = () => built.datasets[1]!.root;
const statusOf = (status: PipelineStatus, phase: string) => status.phases.find((p) => p.phase === phase)!;
async function runAndWait(phase: 'crops' | 'all'): Promise<PipelineStatus> {
  await service.call('runPhase', { phase });
  await service.runner.current;
  return service.call('pipelineStatus', {});
}
const lotBCrops = async () => (await service.call('listCrops', { includeRejected: true })).crops.filter((c) => c.sourceImage.startsWith('lot-b__'));

describe('source channels', () => {
  it('list every source with its settings and counts', async () => {
    const { status, json } = await api<Response<'listSources'>>('listSources', {});
    expect(status).toBe(200);
    expect(json.sources.map((s) => [s.name, s.photos, s.croppedPhotos, s.state, s.labelMap, s.zones])).toEqual([
      ['lot-a', 4, 4, null, null, null],
      ['lot-b', 4, 4, null, null, null],
    ]);
    const b = json.sources[1]!;
    expect(b.damaged + b.undamaged).toBe(4);
    expect(b.crops).toBe((await lotBCrops()).length);
    expect(Date.parse(b.addedAt!)).not.toBeNaN();
  });

  it('say what a removal takes first, writing nothing; refuse a bad folder or a disk root', async () => {
    const crops = (await lotBCrops()).length;
    const plan = await api<Response<'removeSource'>>('removeSource', { path: lotB(), confirm: false });
    expect(plan.json).toEqual({ removal: { name: 'lot-b', path: lotB(), photos: 4, crops, reviewDecisions: 0, removed: false }, dataset: null });
    expect((await lotBCrops()).length).toBe(crops);
    const missing = await api<{ error: string }>('addSource', { path: join(dir, 'nowhere') });
    expect(missing).toEqual({ status: 500, json: expect.objectContaining({ error: `dataset folder not found: ${join(dir, 'nowhere')}` }) });
    expect((await api<{ error: string }>('addSource', { path: '/' })).status).toBe(403);
    expect((await api<{ error: string }>('addSource', { path: lotB() })).json.error).toMatch(/lot-b is already a source/);
  });

  it('remove a confirmed source: its crops go, the app reopens with the rest, later phases and search say stale', async () => {
    const { json } = await api<Response<'removeSource'>>('removeSource', { path: 'lot-b', confirm: true });
    expect(json.removal.removed).toBe(true);
    expect(json.dataset!.sources.map((s) => s.name)).toEqual(['lot-a']);
    expect((await service.call('currentDataset', {}))!.summary.photos).toBe(4);
    expect(await lotBCrops()).toEqual([]);
    const status = await service.call('pipelineStatus', {});
    expect(statusOf(status, 'crops').status).toBe('done');
    expect(statusOf(status, 'index')).toMatchObject({ status: 'stale', staleReason: 'inputs changed: contexts changed (source lot-b removed) after this index was built' });
    const search = await service.call('search', { text: 'scratch on the door', k: 3 });
    expect(search.staleIndex).toBe('inputs changed: contexts changed (source lot-b removed) after this index was built');
  });

  it('add a source back: phase 1 shows stale until it runs over every source, then the later phases until they do', async () => {
    const { json } = await api<Response<'addSource'>>('addSource', { path: lotB() });
    expect(json.sources.map((s) => s.name)).toEqual(['lot-a', 'lot-b']);
    expect(statusOf(await service.call('pipelineStatus', {}), 'crops')).toMatchObject({ status: 'stale', staleReason: 'inputs changed: source lot-b added since these crops were cut' });
    const afterCrops = await runAndWait('crops');
    expect(statusOf(afterCrops, 'crops').status).toBe('done');
    expect(statusOf(afterCrops, 'contexts')).toMatchObject({ status: 'stale', staleReason: 'inputs changed: crops were re-cut after these contexts were written' });
    expect((await lotBCrops()).length).toBeGreaterThan(0);
    const all = await runAndWait('all');
    expect(all.phases.map((p) => p.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect((await service.call('search', { text: 'scratch on the door', k: 3 })).staleIndex).toBeNull();
  });

  it('are refused on a dataset folder opened alone', async () => {
    await service.call('openDataset', { path: built.datasets[0]!.root, options: { workspace: join(dir, 'other-ws') } });
    await expect(service.call('addSource', { path: lotB() })).rejects.toThrow(/a dataset folder is open, not a workspace/);
  });
});
