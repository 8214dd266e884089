import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureWorkspace, type FixtureWorkspace } from '../core/fixture/workspace-fixture';
import { AppService } from './app-service';

let dir: string;
let built: FixtureWorkspace;
let service: AppService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-open-ws-'));
  built = await writeFixtureWorkspace(dir);
  service = new AppService({ defaultWorkspace: join(dir, 'default-ws') });
});
afterAll(async () => {
  await service?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('AppService.openWorkspace', () => {
  it('refuses a folder without pipeline output in plain words', async () => {
    await expect(service.call('openWorkspace', { path: join(dir, 'missing') })).rejects.toThrow(/workspace folder not found/);
    await mkdir(join(dir, 'empty'));
    await expect(service.call('openWorkspace', { path: join(dir, 'empty') })).rejects.toThrow(/no pipeline output yet.*run the pipeline.*open a dataset folder/);
    expect(await service.call('currentDataset', {})).toBeNull();
  });

  it('opens every source of a pipeline-built workspace with the ids the CLI and the index use', async () => {
    const info = await service.call('openWorkspace', { path: built.workspace });
    expect(info.kind).toBe('workspace');
    expect(info.workspace).toBe(built.workspace);
    expect(info.sources.map((s) => [s.name, s.photos])).toEqual([['lot-a', 4], ['lot-b', 4]]);
    expect(info.summary.photos).toBe(8);
    expect(await service.call('currentDataset', {})).toEqual(info);
    const all = await service.call('listPhotos', {});
    expect(all.total).toBe(8);
    expect(all.photos.every((p) => /^lot-[ab]__/.test(p.id))).toBe(true);
    expect((await service.call('listPhotos', { source: 'lot-b' })).photos.every((p) => p.id.startsWith('lot-b__'))).toBe(true);
    expect((await service.call('listPhotos', { source: 'lot-b' })).total).toBe(4);
    // Both dataset folders are served (the image guard knows every source).
    const b = all.photos.find((p) => p.id.startsWith('lot-b__'))!;
    expect(await service.resolveImage(b.imagePath)).toBe(b.imagePath);
  });

  it("finds each source's crops through Crop review's channel", async () => {
    const { crops } = await service.call('listCrops', {});
    for (const prefix of ['lot-a__', 'lot-b__']) {
      const crop = crops.find((c) => c.sourceImage.startsWith(prefix))!;
      expect(crop, prefix).toBeDefined();
      await service.call('getPhoto', { id: crop.sourceImage });
      const ofPhoto = await service.call('listCrops', { photoId: crop.sourceImage });
      expect(ofPhoto.crops.map((c) => c.cropId)).toContain(crop.cropId);
    }
  });

  it("resolves a search result's source image to a photo", async () => {
    const { results } = await service.call('search', { text: 'scratch on the door', k: 5 });
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect((await service.call('getPhoto', { id: r.sourceImage })).id).toBe(r.sourceImage);
  });

  it('reports the phases from disk, and only the open workspace\'s', async () => {
    const status = await service.call('pipelineStatus', {});
    const byPhase = Object.fromEntries(status.phases.map((p) => [p.phase, p]));
    for (const phase of ['crops', 'contexts', 'embeddings', 'index'] as const) {
      expect(byPhase[phase]!.status, phase).toBe('done');
      expect(byPhase[phase]!.message).toMatch(/^on disk: .*written \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      expect(byPhase[phase]!.total).toBeGreaterThan(0);
    }
    expect(byPhase.crops!.message).toMatch(/crops from 8 photos/);
    expect(byPhase.validation!.status).toBe('idle');
    expect(byPhase.validation!.message).toMatch(/not run yet/);
    // Another (fresh) workspace: nothing of the previous one shows.
    await service.call('openDataset', { path: built.datasets[0]!.root, options: { workspace: join(dir, 'fresh-ws') } });
    const fresh = await service.call('pipelineStatus', {});
    expect(fresh.phases.map((p) => p.status)).toEqual(['idle', 'idle', 'idle', 'idle', 'idle']);
    expect((await service.call('currentDataset', {}))!.kind).toBe('dataset');
  });
});
