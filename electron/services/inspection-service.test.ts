import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type FixtureResult } from '../core/fixture/fixture';
import { ContractError, type Inspection } from '../shared/ipc-contract';
import { AppService } from './app-service';
import { PathRefusedError } from './path-guard';
import { BadImageError } from './query-image';

let dir: string;
let fixture: FixtureResult;
let service: AppService;
let workspace: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-inspect-'));
  fixture = await writeFixture(join(dir, 'dataset'), { ko: 3, ok: 2, seed: 5, width: 320, height: 240 });
  workspace = join(dir, 'ws');
  service = new AppService({ defaultWorkspace: workspace });
  await service.call('openDataset', { path: fixture.root });
});
afterAll(async () => {
  await service?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const photoPath = (i: number) => join(fixture.root, fixture.photos[i]!.fileName);

/** What every answer must hold, whatever the photo. */
function expectWellFormed(r: Inspection) {
  expect(r.damage.probability).toBeGreaterThanOrEqual(0);
  expect(r.damage.probability).toBeLessThanOrEqual(1);
  expect(['damaged', 'clean', 'uncertain']).toContain(r.damage.verdict);
  expect(r.heatmap.values.length).toBe(r.heatmap.cols * r.heatmap.rows);
  expect(r.heatmap.values.every((v) => v >= 0 && v <= 1)).toBe(true);
  expect(r.windows.length).toBeGreaterThan(0);
  const scores = r.windows.map((w) => w.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  for (const w of r.windows) {
    expect(w.damaged).toBe(w.score >= r.windowThreshold);
    expect(w.box.x + w.box.width).toBeLessThanOrEqual(r.photo.width);
    expect(w.box.y + w.box.height).toBeLessThanOrEqual(r.photo.height);
  }
  if (r.damage.verdict === 'clean') expect(r.types).toEqual([]);
}

describe('inspect', () => {
  it('answers a photo of the dataset before any index: the heads alone, and why there are no neighbours', async () => {
    const r = await service.call('inspect', { image: { path: photoPath(0) } });
    expectWellFormed(r);
    expect(r.photoPath).toBe(photoPath(0));
    expect(r.photo).toEqual({ width: 320, height: 240 });
    expect(r.retrievalUnavailable).toMatch(/run phase 3/);
    expect(r.windows.every((w) => w.neighbours.length === 0 && w.neighbourDamageShare === null)).toBe(true);
    expect(r.zone).toBeNull();
    expect(r.models.embedder).toBeNull();
  });

  it('stores a dropped photo in the workspace, where the image route serves it', async () => {
    const bytes = await readFile(photoPath(1));
    const r = await service.call('inspect', { image: { bytesBase64: bytes.toString('base64'), name: 'drop.jpg' }, k: 3 });
    expectWellFormed(r);
    expect(r.photoPath.startsWith(join(workspace, 'queries'))).toBe(true);
    expect(await service.resolveImage(r.photoPath)).toBe(r.photoPath);
    const byPath = await service.call('inspect', { image: { path: photoPath(1) } });
    expect(r.damage).toEqual(byPath.damage);
    expect(r.heatmap).toEqual(byPath.heatmap);
  });

  it('says in plain words what is wrong with a bad drop', async () => {
    const drop = (bytes: Buffer, name?: string) => service.call('inspect', { image: { bytesBase64: bytes.toString('base64'), ...(name ? { name } : {}) } });
    await expect(drop(Buffer.alloc(0), 'empty.jpg')).rejects.toThrow('the dropped file empty.jpg is empty (0 bytes): drop a photo (JPEG, PNG, WebP, GIF, BMP or TIFF)');
    await expect(drop(Buffer.alloc(0))).rejects.toBeInstanceOf(BadImageError);
    await expect(drop(Buffer.from('just some notes, no photo'), 'notes.txt')).rejects.toThrow(
      'the dropped file notes.txt is not a photo CarLens can read: expected JPEG, PNG, WebP, GIF, BMP or TIFF',
    );
    const jpeg = await readFile(photoPath(0));
    const cut = drop(jpeg.subarray(0, Math.floor(jpeg.length / 3)), 'cut.jpg');
    await expect(cut).rejects.toBeInstanceOf(BadImageError);
    await expect(cut).rejects.toThrow(/^the dropped file cut\.jpg is incomplete: its picture data ends before the last pixel/);
    // Paths go through the guard; a request without a photo is the contract's.
    await expect(service.call('inspect', { image: { path: '/etc/passwd' } })).rejects.toBeInstanceOf(PathRefusedError);
    await expect(service.call('inspect', {})).rejects.toBeInstanceOf(ContractError);
  });

  it('gives each window its neighbours once the index is built, and follows the index to its next generation', async () => {
    for (const phase of ['crops', 'contexts', 'embeddings', 'index'] as const) {
      await service.call('runPhase', { phase });
      await service.runner.current;
      const state = service.runner.status().phases.find((p) => p.phase === phase)!;
      expect(state.status, state.message ?? '').toBe('done');
    }
    const r = await service.call('inspect', { image: { path: photoPath(0) }, k: 4 });
    expectWellFormed(r);
    expect(r.retrievalUnavailable).toBeNull();
    expect(r.models.embedder).toBeTruthy();
    for (const w of r.windows) {
      expect(w.neighbours.length).toBe(4);
      expect(w.neighbours.map((n) => n.rank)).toEqual([1, 2, 3, 4]);
      expect(w.neighbourDamageShare).toBe(Math.round((1000 * w.neighbours.filter((n) => n.hasDamage).length) / 4) / 1000);
    }
    const neighbour = r.windows[0]!.neighbours[0]!;
    expect(neighbour.cropPath.startsWith(workspace)).toBe(true);
    expect(await service.resolveImage(neighbour.cropPath)).toBe(neighbour.cropPath);
    // A zone is answered only with the backing of most neighbours' votes.
    if (r.zone) {
      expect(r.zone.value).toMatch(/^\d+$/);
      expect(r.zone.confidence).toBeGreaterThanOrEqual(0.5);
    }

    // Filters narrow the neighbours, never the heads' answer.
    const clean = await service.call('inspect', { image: { path: photoPath(0) }, k: 4, filters: { hasDamage: false } });
    expect(clean.damage).toEqual(r.damage);
    expect(clean.windows.flatMap((w) => w.neighbours).every((n) => !n.hasDamage)).toBe(true);

    // A rejected crop makes a new index generation: the next inspection no longer finds it.
    await service.call('setCropRejected', { cropId: neighbour.cropId, rejected: true });
    const after = await service.call('inspect', { image: { path: photoPath(0) }, k: 4 });
    expect(after.windows.flatMap((w) => w.neighbours).map((n) => n.cropId)).not.toContain(neighbour.cropId);
  });

  it('answers calls made at once from one opened inspector', async () => {
    const [a, b] = await Promise.all([0, 3].map((i) => service.call('inspect', { image: { path: photoPath(i) }, k: 2 })));
    expectWellFormed(a!);
    expectWellFormed(b!);
    expect(a!.photoPath).not.toBe(b!.photoPath);
  });
});
