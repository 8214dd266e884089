import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sharedDir } from '../core/models/paths';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../core/fixture/fixture';
import { ContractError } from '../shared/ipc-contract';
import { AppService } from './app-service';
import { PathRefusedError } from './path-guard';
import { NotAvailableError, PHASE_IMPLS } from './phases';

let dir: string;
let service: AppService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-service-'));
  await writeFixture(join(dir, 'dataset'), { ko: 3, ok: 2, seed: 7, width: 320, height: 240 });
  await writeFile(join(dir, 'secret.jpg'), 'not yours');
  await symlink(join(dir, 'secret.jpg'), join(dir, 'dataset', 'escape.jpg'));
  service = new AppService({ defaultWorkspace: join(dir, 'ws') });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('AppService', () => {
  it('refuses calls before a dataset is open, and bad requests by the contract', async () => {
    await expect(service.call('listPhotos', {})).rejects.toThrow(/no dataset is open/);
    await expect(service.call('openDataset', { path: '' })).rejects.toBeInstanceOf(ContractError);
    await expect(service.call('listPhotos', { zones: ['11'] })).rejects.toThrow(/listPhotos: invalid request/);
  });

  it('opens the fixture and lists, filters and details photos', async () => {
    const info = await service.call('openDataset', { path: join(dir, 'dataset') });
    expect(info.summary.photos).toBe(5);
    expect(info.summary.states).toEqual({ damaged: 3, undamaged: 2 });
    const all = await service.call('listPhotos', {});
    expect(all.total).toBe(5);
    const damaged = await service.call('listPhotos', { state: 'damaged' });
    expect(damaged.photos.map((p) => p.state)).toEqual(['damaged', 'damaged', 'damaged']);
    const zone = all.photos[0]!.zone!;
    const byZone = await service.call('listPhotos', { zones: [zone] });
    expect(byZone.photos.every((p) => p.zone === zone)).toBe(true);
    const page = await service.call('listPhotos', { offset: 1, limit: 2 });
    expect(page.photos.map((p) => p.id)).toEqual(all.photos.slice(1, 3).map((p) => p.id));
    const detail = await service.call('getPhoto', { id: damaged.photos[0]!.id });
    expect(detail.shapes.length).toBeGreaterThan(0);
    expect(detail.shapes[0]!.points.length).toBeGreaterThanOrEqual(3);
    await expect(service.call('getPhoto', { id: 'nope' })).rejects.toThrow(/no photo 'nope'/);
  });

  it('serves images only from inside the dataset or workspace', async () => {
    const photo = (await service.call('listPhotos', { limit: 1 })).photos[0]!;
    const ok = await service.resolveImage(join(dir, 'dataset', photo.fileName));
    expect(ok).toContain(photo.fileName);
    await expect(service.resolveImage(join(dir, 'dataset', '..', 'secret.jpg'))).rejects.toBeInstanceOf(PathRefusedError);
    await expect(service.resolveImage('../secret.jpg')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(service.resolveImage(join(dir, 'dataset', 'escape.jpg'))).rejects.toThrow(/outside the open workspace/);
    await expect(service.resolveImage('/etc/passwd')).rejects.toBeInstanceOf(PathRefusedError);
    const json = photo.fileName.replace(/\.jpg$/, '.json');
    await expect(service.resolveImage(join(dir, 'dataset', json))).rejects.toThrow(/not an image/);
  });

  it('reports a phase that fails with the core\'s message, and refuses an unavailable one', async () => {
    await expect(service.call('getContext', { cropId: 'x' })).rejects.toThrow(/run phase 2 \(contexts\) first/);
    await service.call('runPhase', { phase: 'validation' });
    await service.runner.current;
    const validation = (await service.call('pipelineStatus', {})).phases.find((p) => p.phase === 'validation')!;
    expect(validation.status).toBe('failed');
    expect(validation.message).toBeTruthy();
    const partial = new AppService({ defaultWorkspace: join(dir, 'ws'), phases: { ...PHASE_IMPLS, validation: null } });
    await partial.call('openDataset', { path: join(dir, 'dataset') });
    await expect(partial.call('runPhase', { phase: 'validation' })).rejects.toBeInstanceOf(NotAvailableError);
    expect((await partial.call('pipelineStatus', {})).phases[4]!.status).toBe('unavailable');
  });

  it('runs phase 1 with progress, then rejects a crop in the metadata', async () => {
    const events: string[] = [];
    const off = service.onPipeline((s) => events.push(`${s.phases[0]!.status}:${s.phases[0]!.done}/${s.phases[0]!.total}`));
    const started = await service.call('runPhase', { phase: 'crops' });
    expect(started.running).toBe(true);
    expect((await service.call('runPhase', { phase: 'crops' })).notice).toMatch(/^already running: phase 1 \(crops\) is in progress and goes on/);
    await service.runner.current;
    off();
    const crops = service.runner.status().phases[0]!;
    expect(crops.status, crops.message ?? '').toBe('done');
    expect(events).toContain('running:5/5');
    expect(events.at(-1)).toBe('done:5/5');
    const list = await service.call('listCrops', {});
    expect(list.crops.length).toBeGreaterThan(0);
    const target = list.crops[0]!;
    expect(await service.resolveImage(target.cropPath)).toBe(target.cropPath);
    const rejected = await service.call('setCropRejected', { cropId: target.cropId, rejected: true });
    expect(rejected.rejected).toBe(true);
    const after = await service.call('listCrops', { includeRejected: false });
    expect(after.crops.map((c) => c.cropId)).not.toContain(target.cropId);
    const withRejected = await service.call('listCrops', { photoId: target.sourceImage });
    expect(withRejected.crops.find((c) => c.cropId === target.cropId)!.rejected).toBe(true);
  });

  it('runs phase 2 and edits a context, which survives the next phase 2 run', async () => {
    await service.call('runPhase', { phase: 'contexts' });
    await service.runner.current;
    const phase = service.runner.status().phases[1]!;
    expect(phase.status, phase.message ?? '').toBe('done');
    const cropId = (await service.call('listCrops', {})).crops[0]!.cropId;
    const before = await service.call('getContext', { cropId });
    expect(before.text.length).toBeGreaterThan(20);
    expect(before.tokens).toBeGreaterThan(5);
    expect(before.tokens).toBeLessThanOrEqual(before.limit);
    // The live count of unsaved text uses the same tokenizer, so it agrees with the saved count.
    expect(await service.call('countTokens', { text: before.text })).toEqual({ tokens: before.tokens, limit: before.limit });
    expect((await service.call('countTokens', { text: '' })).tokens).toBe(2);
    const saved = await service.call('saveContext', { cropId, text: 'Deep scratch across the driver door, hand checked.' });
    expect(saved.edited).toBe(true);
    expect(saved.reindexed).toMatch(/no index yet/);
    expect((await service.call('listCrops', {})).crops.find((c) => c.cropId === cropId)!.context).toBe('Deep scratch across the driver door, hand checked.');
    await expect(service.call('saveContext', { cropId, text: 'word '.repeat(200) })).rejects.toThrow(/tokens, the text encoder reads at most/);
    await service.call('runPhase', { phase: 'contexts' });
    await service.runner.current;
    expect((await service.call('getContext', { cropId })).text).toBe('Deep scratch across the driver door, hand checked.');
  });

  it('cancels a running phase and says the finished work is kept', async () => {
    await service.call('runPhase', { phase: 'all' });
    expect(await service.call('cancel', {})).toEqual({ cancelled: true });
    await service.runner.current;
    const status = await service.call('pipelineStatus', {});
    expect(status.running).toBe(false);
    expect(status.phases[0]!.status).toBe('cancelled');
    expect(status.phases[0]!.message).toMatch(/finished work is kept/);
    expect(status.phases.slice(1, 4).map((p) => p.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(await service.call('cancel', {})).toEqual({ cancelled: false });
  });

  it('reads a plain LabelMe folder as the open form asks: state of every photo, map and zones beside it, workspace', async () => {
    // The real shared folder: 70 annotated photos with damage shapes, a labelmap.json and a zones.csv.
    const flickr = resolve(sharedDir(), 'datasets', 'flickr-car-damage-parts');
    const other = new AppService({ defaultWorkspace: join(dir, 'ws') });
    const auto = await other.call('openDataset', { path: flickr });
    expect(auto.summary.format).toBe('labelme');
    expect(auto.summary.states).toEqual({ damaged: 70, undamaged: 0 });
    expect(auto.workspace).toBe(join(dir, 'ws'));

    const undamaged = await other.call('openDataset', {
      path: flickr,
      options: { state: 'undamaged', labelMap: 'labelmap.json', zones: 'zones.csv', workspace: join(dir, 'ws-flickr') },
    });
    expect(undamaged.summary.states).toEqual({ damaged: 0, undamaged: 70 });
    expect(undamaged.workspace).toBe(join(dir, 'ws-flickr'));
    expect((await other.call('listPhotos', { state: 'damaged' })).total).toBe(0);
    // Zones came from the named zones.csv beside the photos (relative to the folder, not the app's cwd).
    const zoned = (info: typeof auto) => info.summary.photos - (info.summary.zones.unknown ?? 0);
    expect(zoned(undamaged)).toBeGreaterThan(0);
    expect(zoned(undamaged)).toBe(zoned(auto));

    await expect(other.call('openDataset', { path: flickr, options: { labelMap: 'no-such-map.json' } })).rejects.toThrow(
      `label map ${join(flickr, 'no-such-map.json')}`,
    );
    await expect(other.call('openDataset', { path: flickr, options: { state: 'broken' } })).rejects.toBeInstanceOf(ContractError);
    await other.dispose();
  });

  it("finds the workspace's validation report only inside the workspace", async () => {
    const other = new AppService({ defaultWorkspace: join(dir, 'ws-report') });
    await expect(other.validationReportFile()).rejects.toThrow(/no dataset is open/);
    await other.call('openDataset', { path: join(dir, 'dataset') });
    expect(await other.call('validationReport', {})).toEqual({ path: null });
    await expect(other.validationReportFile()).rejects.toThrow(/run phase 5 \(validation\) first/);

    await mkdir(join(dir, 'ws-report', 'validation'), { recursive: true });
    const report = join(dir, 'ws-report', 'validation', 'report.html');
    await writeFile(report, '<!doctype html><title>CarLens validation report</title>');
    expect(await other.call('validationReport', {})).toEqual({ path: report });
    expect(await other.validationReportFile()).toBe(report);

    // A report swapped for a link to a file outside the workspace is not served.
    await rm(report);
    await symlink(join(dir, 'secret.jpg'), report);
    await expect(other.validationReportFile()).rejects.toBeInstanceOf(PathRefusedError);
    expect(await other.call('validationReport', {})).toEqual({ path: null });
    await other.dispose();
  });
});
