import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BBox, Dataset, Photo, Shape } from '../dataset/model';
import type { CarLocation, CarLocator } from '../detector/car-locator';
import { containsBox } from './geometry';
import { readCropsMetadata } from './metadata';
import { readWorkspaceManifest } from '../workspace/manifest';
import { runCrops } from './run';
import { cropPixelDiff, expectedCropId, hasUniformBorder } from './test-support';

/**
 * runCrops end to end on a small hand-made dataset (real JPEGs, real sharp, real files). The car locator here
 * returns a known box and mask: what is under test is the grid and the car-share rule, not the detector.
 */
const W = 900;
const H = 700;

async function photoImage(path: string): Promise<void> {
  // Smooth colour ramps with a few strong edges: no grey anywhere, and JPEG round trips stay close.
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      data[i] = (x * 255) / W;
      data[i + 1] = 40 + ((y * 200) / H) * ((x >> 6) % 2 ? 1 : 0.5);
      data[i + 2] = 255 - (y * 255) / H;
    }
  }
  await sharp(data, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95 }).toFile(path);
}

function shape(label: string, box: BBox, damage = true): Shape {
  const { x, y, width: w, height: h } = box;
  return {
    label,
    damageType: damage ? 'dent' : null,
    shapeType: 'rectangle',
    points: [[x, y], [x + w, y], [x + w, y + h], [x, y + h]],
    bbox: box,
  };
}

function photo(root: string, id: string, state: Photo['state'], shapes: Shape[]): Photo {
  return {
    id,
    imagePath: join(root, `${id}.jpg`),
    fileName: `${id}.jpg`,
    state,
    zone: state === 'damaged' ? 5 : null,
    timestamp: null,
    width: W,
    height: H,
    shapes,
    annotationFiles: [join(root, `${id}.json`)],
  };
}

const CAR: BBox = { x: 100, y: 50, width: 700, height: 600 };
/** The car fills its box except a top-right block (glass and sky): right half, top 55 %. */
function carMask(): CarLocation['mask'] {
  const data = new Uint8Array(W * H);
  for (let y = CAR.y; y < CAR.y + CAR.height; y++) {
    for (let x = CAR.x; x < CAR.x + CAR.width; x++) {
      const topRight = y < CAR.y + 0.55 * CAR.height && x >= CAR.x + CAR.width / 2;
      data[y * W + x] = topRight ? 0 : 1;
    }
  }
  return { width: W, height: H, data };
}
const knownCarLocator = (withMask: boolean): CarLocator => ({
  locate: async () => ({ method: 'detector', box: CAR, score: 0.9, className: 'car', mask: withMask ? carMask() : null }),
  dispose: async () => {},
});

describe('runCrops on a hand-made dataset', () => {
  let root: string;
  let dataset: Dataset;
  const damage = [
    shape('dent', { x: 200, y: 200, width: 40, height: 30 }),
    shape('dent', { x: 250, y: 215, width: 30, height: 30 }),
    shape('part_door', { x: 0, y: 0, width: 400, height: 400 }, false),
    shape('dent', { x: 860, y: 650, width: 40, height: 50 }), // at the bottom-right corner
  ];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-crops-'));
    for (const id of ['ko1', 'ok1', 'broken']) {
      await writeFile(join(root, `${id}.json`), JSON.stringify({ id }));
    }
    await photoImage(join(root, 'ko1.jpg'));
    await photoImage(join(root, 'ok1.jpg'));
    await writeFile(join(root, 'broken.jpg'), 'not a jpeg');
    dataset = {
      root,
      format: 'labelme',
      photos: [photo(root, 'ko1', 'damaged', damage), photo(root, 'ok1', 'undamaged', []), photo(root, 'broken', 'damaged', [damage[0]!])],
      problems: [],
    };
  });

  it('crops defects and grid windows, reports the broken photo and goes on', async () => {
    const workspace = join(root, 'ws');
    const progress: number[] = [];
    const summary = await runCrops({
      dataset,
      workspace,
      locator: knownCarLocator(true),
      onProgress: (p) => progress.push(p.done),
    });
    expect(progress).toEqual([1, 2, 3]);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]!.file).toBe('broken.jpg');
    expect(summary.crops.clustered).toBe(2); // the two near dents together, the corner one alone
    expect(summary.detectorHitRate).toBe(1);

    const metadata = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!;
    expect(metadata.photos.map((p) => [p.id, p.status])).toEqual([['ko1', 'done'], ['ok1', 'done'], ['broken', 'failed']]);
    const clustered = metadata.crops.filter((c) => c.crop_type === 'clustered');
    // Ids derive from the photo file and the crop box (crop-id.ts), listed in cluster order.
    const ko1 = join(root, 'ko1.jpg');
    expect(clustered.map((c) => c.crop_id)).toEqual(await Promise.all(clustered.map((c) => expectedCropId('ko1', ko1, c.bbox, 'defect_cluster'))));
    expect(clustered.every((c) => /^ko1_c[0-9a-f]{10}$/.test(c.crop_id) && c.crop_path === `crops/images/${c.crop_id}.jpg`)).toBe(true);
    expect(clustered[0]!.damage_count).toBe(2);
    expect(clustered[0]!.vehicle_zone).toBe('5');
    expect(clustered[0]!.zone_area).toBe('posterior');
    for (const d of damage.filter((s) => s.damageType)) {
      expect(clustered.some((c) => containsBox(c.bbox, d.bbox))).toBe(true);
    }

    expect(clustered.every((c) => c.origin === 'defect_cluster')).toBe(true);
    const grid = metadata.crops.filter((c) => c.origin === 'undamaged_photo_grid');
    // 700 × 600 box: 2 × 2 windows of 448 at x 100/352, y 50/202. On the mask the top-right window is
    // mostly sky; the bottom-right one is 69.0 % car (just under 70 %); the left ones 84 % and 91 %.
    const ok1 = join(root, 'ok1.jpg');
    const gridBoxes = [{ x: 100, y: 50, width: 448, height: 448 }, { x: 100, y: 202, width: 448, height: 448 }];
    expect(grid.map((c) => c.bbox)).toEqual(gridBoxes);
    expect(grid.map((c) => c.crop_id)).toEqual(await Promise.all(gridBoxes.map((b) => expectedCropId('ok1', ok1, b, 'undamaged_photo_grid'))));
    for (const c of grid) {
      expect(c.car_ratio!).toBeGreaterThanOrEqual(0.7);
      expect(c.car_ratio_method).toBe('mask');
      expect(c.crop_size).toEqual([448, 448]);
      expect(containsBox(CAR, c.bbox)).toBe(true);
    }

    // Clean windows of ko1 (the locator gives the same car there): clearance 8 % of the 1140 px diagonal = 91 px.
    // No 448 or 336 window is that far from the dents and car enough; of the 224 grid (x 100/259/417/576,
    // y 50/175/301/426) the bottom row's first three are 181 px below the dents (the third 219 px from the
    // corner dent too, so it comes first); the fourth is 60 px from the corner dent.
    const clean = metadata.crops.filter((c) => c.origin === 'damaged_photo_clean_window');
    const cleanBoxes = [417, 100, 259].map((x) => ({ x, y: 426, width: 224, height: 224 }));
    expect(clean.map((c) => c.crop_id)).toEqual(await Promise.all(cleanBoxes.map((b) => expectedCropId('ko1', ko1, b, 'damaged_photo_clean_window'))));
    expect(summary.crops).toEqual({ clustered: 2, grid: 2, cleanWindows: 3, total: 7 });
    for (const c of clean) {
      expect(c).toMatchObject({ has_damage: false, crop_type: 'grid', defects: [], damage_types: [], vehicle_zone: '5', crop_size: [224, 224] });
      expect(c.bbox.y).toBe(426);
    }

    for (const c of metadata.crops) {
      const file = join(workspace, c.crop_path);
      const meta = await sharp(file).metadata();
      expect([meta.height, meta.width]).toEqual(c.crop_size);
      expect(Math.max(...c.crop_size)).toBeLessThanOrEqual(448);
      expect(await cropPixelDiff(file, c.source_path, c.bbox)).toBeLessThan(3);
      expect(await hasUniformBorder(file)).toBe(false);
    }
    // The pixel check can fail: the same crop against a region 20 px off differs clearly.
    const first = clustered[0]!;
    const off = { ...first.bbox, x: first.bbox.x + 20 };
    expect(await cropPixelDiff(join(workspace, first.crop_path), first.source_path, off)).toBeGreaterThan(3);
  });

  it('measures on the box without a mask', async () => {
    const workspace = join(root, 'ws-box');
    const summary = await runCrops({ dataset, workspace, locator: knownCarLocator(true), config: { useMask: false } });
    expect(summary.crops.grid).toBe(4);
    const metadata = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!;
    expect(metadata.crops.filter((c) => c.crop_type === 'grid').every((c) => c.car_ratio_method === 'box')).toBe(true);
  });

  it('skips up-to-date photos, redoes changed ones, and redoes all with force', async () => {
    const workspace = join(root, 'ws-rerun');
    const locator = knownCarLocator(true);
    await runCrops({ dataset, workspace, locator });
    const first = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!;
    const cropFile = join(workspace, first.crops.find((c) => c.source_image === 'ko1')!.crop_path);
    const before = (await stat(cropFile)).mtimeMs;

    const again = await runCrops({ dataset, workspace, locator });
    expect(again.skippedUpToDate).toBe(2);
    expect(again.processed).toBe(1); // the failed photo is retried
    expect((await stat(cropFile)).mtimeMs).toBe(before);

    const changed = await runCrops({ dataset, workspace, locator, config: { marginRatio: 0.25 } });
    expect(changed.skippedUpToDate).toBe(0);

    const forced = await runCrops({ dataset, workspace, locator, config: { marginRatio: 0.25 }, force: true });
    expect(forced.skippedUpToDate).toBe(0);
    expect(forced.processed).toBe(3);
  });

  it('removes crop files a redone photo no longer has, and redoes a photo whose crop file vanished', async () => {
    const workspace = join(root, 'ws-stale');
    const locator = knownCarLocator(true);
    await runCrops({ dataset, workspace, locator });
    const first = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!;
    const gridFile = join(workspace, first.crops.find((c) => c.origin === 'undamaged_photo_grid')!.crop_path);
    await rm(gridFile);
    const repaired = await runCrops({ dataset, workspace, locator });
    expect(repaired.skippedUpToDate).toBe(1);
    await stat(gridFile);
    // A larger gap links the corner dent to the others: one cluster (a new box, so a new id), and both old
    // cluster files must go.
    const oldClusters = first.crops.filter((c) => c.origin === 'defect_cluster');
    expect(oldClusters).toHaveLength(2);
    await runCrops({ dataset, workspace, locator, config: { clusterGapRatio: 0.9, maxClusterSideRatio: 1 } });
    const merged = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!.crops.filter((c) => c.origin === 'defect_cluster');
    expect(merged).toHaveLength(1);
    for (const c of oldClusters) {
      expect(merged[0]!.crop_id).not.toBe(c.crop_id);
      await expect(stat(join(workspace, c.crop_path))).rejects.toThrow();
    }
  });

  it('refuses, before writing anything, an empty dataset and a dataset other than the workspace\'s; --replace replaces', async () => {
    const workspace = join(root, 'ws-guard');
    await runCrops({ dataset, workspace, locator: knownCarLocator(true) });
    const metadataPath = join(workspace, 'crops', 'crops.json');
    const before = await readFile(metadataPath, 'utf8');
    await expect(runCrops({ dataset: { ...dataset, photos: [] }, workspace, locator: null })).rejects.toThrow(/no photo to crop .*nothing was written/);
    const other: Dataset = { ...dataset, root: join(root, 'elsewhere'), photos: dataset.photos.filter((p) => p.id === 'ok1') };
    await expect(runCrops({ dataset: other, workspace, locator: knownCarLocator(true) })).rejects.toThrow(
      /holds \d+ crops of .*; phase 1 on .*elsewhere alone would drop them.*nothing was written/,
    );
    expect(await readFile(metadataPath, 'utf8')).toBe(before);
    const replaced = await runCrops({ dataset: other, workspace, locator: knownCarLocator(true), replaceOtherDataset: true });
    expect(replaced.photos).toBe(1);
    expect((await readCropsMetadata(metadataPath))!.dataset).toBe(other.root);
    // workspace.json follows what phase 1 cropped.
    expect((await readWorkspaceManifest(workspace))!.sources).toMatchObject([{ path: other.root, prefix: null }]);
  });

  it('keeps the crops of photos left out of a later run (a --state subset) while they exist', async () => {
    const workspace = join(root, 'ws-subset');
    await runCrops({ dataset, workspace, locator: knownCarLocator(true) });
    const damagedOnly = { ...dataset, photos: dataset.photos.filter((p) => p.state === 'damaged') };
    const summary = await runCrops({ dataset: damagedOnly, workspace, locator: null });
    expect(summary.undamagedPhotos).toBe(0);
    const metadata = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!;
    expect(metadata.photos.map((p) => p.id)).toEqual(['ko1', 'broken', 'ok1']);
    expect(metadata.crops.filter((c) => c.source_image === 'ok1')).toHaveLength(2);
  });

  it('cuts no clean window without a locator, and redoes the damaged photos once there is one or a setting changes', async () => {
    const workspace = join(root, 'ws-clean');
    const damagedOnly = { ...dataset, photos: dataset.photos.filter((p) => p.id === 'ko1') };
    const without = await runCrops({ dataset: damagedOnly, workspace, locator: null });
    expect(without.crops).toEqual({ clustered: 2, grid: 0, cleanWindows: 0, total: 2 });
    expect(without.warnings).toEqual(['no car locator was given: damaged photos got no clean windows']);
    const withLocator = await runCrops({ dataset: damagedOnly, workspace, locator: knownCarLocator(true) });
    expect(withLocator.processed).toBe(1);
    const cleanBefore = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!.crops.filter((c) => c.origin === 'damaged_photo_clean_window');
    expect(withLocator.crops.cleanWindows).toBe(3);
    expect((await runCrops({ dataset: damagedOnly, workspace, locator: knownCarLocator(true) })).skippedUpToDate).toBe(1);
    const capped = await runCrops({ dataset: damagedOnly, workspace, locator: knownCarLocator(true), config: { cleanWindows: { maxPerPhoto: 1 } } });
    expect(capped.processed).toBe(1);
    expect(capped.crops.cleanWindows).toBe(1);
    // The two windows no longer cut are gone from disk; the one kept has the id it had.
    const kept = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!.crops.filter((c) => c.origin === 'damaged_photo_clean_window');
    expect(kept.map((c) => c.crop_id)).toEqual([cleanBefore[0]!.crop_id]);
    for (const c of cleanBefore.slice(1)) await expect(stat(join(workspace, c.crop_path))).rejects.toThrow();
  });

  it('reports undamaged photos as failures when no locator is given', async () => {
    const summary = await runCrops({ dataset, workspace: join(root, 'ws-null'), locator: null });
    expect(summary.failures.map((f) => f.file)).toEqual(['ok1.jpg', 'broken.jpg']);
    expect(summary.failures[0]!.message).toMatch(/no car locator/);
  });

  it('stops on abort and keeps the photos already done', async () => {
    const workspace = join(root, 'ws-abort');
    const controller = new AbortController();
    const run = runCrops({
      dataset,
      workspace,
      locator: knownCarLocator(true),
      checkpointEvery: 1,
      signal: controller.signal,
      onProgress: (p) => p.done === 1 && controller.abort(),
    });
    await expect(run).rejects.toThrow();
    const metadata = JSON.parse(await readFile(join(workspace, 'crops', 'crops.json'), 'utf8'));
    expect(metadata.photos.map((p: { id: string }) => p.id)).toEqual(['ko1']);
    const resumed = await runCrops({ dataset, workspace, locator: knownCarLocator(true) });
    expect(resumed.skippedUpToDate).toBe(1);
  });
});
