import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../dataset/load';
import type { Dataset } from '../dataset/model';
import { createCarLocator } from '../detector/index';
import type { CarLocator } from '../detector/car-locator';
import { writeFixture } from '../fixture/fixture';
import { containsBox } from './geometry';
import { readCropsMetadata } from './metadata';
import { runCrops } from './run';
import { cropPixelDiff, hasUniformBorder } from './test-support';

/** runCrops on the synthetic seed-convention dataset, with the real loader and the real car locator. */
describe('crops on the fixture dataset', () => {
  let dir: string;
  let dataset: Dataset;
  let locator: CarLocator;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-crops-fixture-'));
    await writeFixture(join(dir, 'dataset'), { ko: 4, ok: 4, seed: 11 });
    dataset = await loadDataset(join(dir, 'dataset'));
    locator = await createCarLocator();
  });
  afterAll(async () => {
    await locator?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('crops every defect with real pixels, grids the clean photos, skips on re-run, redoes with force', async () => {
    const workspace = join(dir, 'ws');
    expect(dataset.photos.filter((p) => p.state === 'damaged')).toHaveLength(4);
    expect(dataset.photos.filter((p) => p.state === 'undamaged')).toHaveLength(4);
    const summary = await runCrops({ dataset, workspace, locator });
    expect(summary.failures).toEqual([]);
    const metadata = (await readCropsMetadata(summary.metadataPath))!;
    console.log(
      `fixture: ${summary.crops.clustered} clustered (${summary.cropsPerPhoto.damaged} per photo), ` +
        `${summary.crops.grid} grid (${summary.cropsPerPhoto.undamaged} per photo), hit rate ${summary.detectorHitRate}, ` +
        `no grid crop ${summary.photosWithoutGridCrop.length}, ${summary.crops.cleanWindows} clean windows`,
    );
    // Clean windows of damaged photos are checked in clean-windows.test.ts; here, that they are there and apart.
    expect(summary.crops.cleanWindows).toBeGreaterThan(0);
    expect(metadata.crops.filter((c) => c.origin === 'damaged_photo_clean_window')).toHaveLength(summary.crops.cleanWindows);
    expect(summary.crops.total).toBe(summary.crops.clustered + summary.crops.grid + summary.crops.cleanWindows);
    // Seed names carry the zone, so every crop has its zone fields.
    expect(metadata.crops.every((c) => c.vehicle_zone !== null && c.zone_area !== null)).toBe(true);

    for (const photo of dataset.photos) {
      const crops = metadata.crops.filter((c) => c.source_image === photo.id && c.origin !== 'damaged_photo_clean_window');
      if (photo.state === 'damaged') {
        const defects = photo.shapes.filter((s) => s.damageType);
        expect(crops.length).toBeGreaterThanOrEqual(1);
        expect(crops.length).toBeLessThanOrEqual(defects.length);
        for (const d of defects) {
          for (const [x, y] of d.points) expect(crops.some((c) => containsBox(c.bbox, { x, y, width: 0, height: 0 }, 1))).toBe(true);
        }
      } else {
        expect(crops.length).toBeLessThanOrEqual(30);
        for (const c of crops) expect(c.car_ratio!).toBeGreaterThanOrEqual(0.7);
      }
    }
    for (const c of metadata.crops) {
      const file = join(workspace, c.crop_path);
      expect(await cropPixelDiff(file, c.source_path, c.bbox)).toBeLessThan(4);
      expect(await hasUniformBorder(file)).toBe(false);
    }

    const again = await runCrops({ dataset, workspace, locator });
    expect(again.skippedUpToDate).toBe(dataset.photos.length);
    expect(again.processed).toBe(0);
    const forced = await runCrops({ dataset, workspace, locator, force: true });
    expect(forced.processed).toBe(dataset.photos.length);
    expect(forced.crops).toEqual(summary.crops);
  });
});
