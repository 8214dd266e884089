import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../dataset/load';
import type { Dataset } from '../dataset/model';
import { createCarLocator } from '../detector/index';
import { sharedDir } from '../models/paths';
import { containsBox } from './geometry';
import { readCropsMetadata } from './metadata';
import { runCrops } from './run';

/** Phase 1 on samples of the real shared datasets (read in place, crops into a temp workspace). */
const datasets = join(sharedDir(), 'datasets');
const SAMPLE = 15;

const sample = (d: Dataset): Dataset => ({ ...d, photos: d.photos.slice(0, SAMPLE) });

describe.skipIf(!existsSync(datasets))('crops on real shared data', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'carlens-crops-real-'));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('crops every damage of a flickr-car-damage-parts sample', async () => {
    const dataset = sample(await loadDataset(join(datasets, 'flickr-car-damage-parts'), { state: 'damaged' }));
    expect(dataset.photos).toHaveLength(SAMPLE);
    const summary = await runCrops({ dataset, workspace: join(workspace, 'damaged'), locator: null });
    console.log(
      `flickr sample: ${summary.photos} photos → ${summary.crops.clustered} clustered crops ` +
        `(${summary.cropsPerPhoto.damaged?.toFixed(2)} per photo), ${summary.failures.length} failures`,
    );
    expect(summary.failures).toEqual([]);
    const metadata = (await readCropsMetadata(summary.metadataPath))!;
    for (const photo of dataset.photos) {
      const crops = metadata.crops.filter((c) => c.source_image === photo.id);
      for (const shape of photo.shapes.filter((s) => s.damageType)) {
        expect(crops.some((c) => containsBox(c.bbox, shape.bbox, 1))).toBe(true);
      }
      for (const c of crops) {
        expect(Math.max(...c.crop_size)).toBeLessThanOrEqual(448);
        expect(c.bbox.x + c.bbox.width).toBeLessThanOrEqual(photo.width);
        expect(c.bbox.y + c.bbox.height).toBeLessThanOrEqual(photo.height);
      }
    }
  });

  it('finds the car and crops a grid on a car-parts-undamaged sample', async () => {
    const dataset = sample(await loadDataset(join(datasets, 'car-parts-undamaged'), { state: 'undamaged' }));
    const locator = await createCarLocator();
    try {
      const summary = await runCrops({ dataset, workspace: join(workspace, 'undamaged'), locator });
      console.log(
        `car-parts sample: ${summary.photos} photos → ${summary.crops.grid} grid crops ` +
          `(${summary.cropsPerPhoto.undamaged?.toFixed(2)} per photo), detector hit rate ` +
          `${summary.detectorHitRate}, no grid crop: ${summary.photosWithoutGridCrop.length}, ` +
          `${summary.failures.length} failures`,
      );
      expect(summary.failures).toEqual([]);
      expect(summary.detectorHitRate!).toBeGreaterThanOrEqual(0.85);
      const metadata = (await readCropsMetadata(summary.metadataPath))!;
      for (const c of metadata.crops) expect(c.car_ratio!).toBeGreaterThanOrEqual(0.7);
      expect(summary.crops.grid).toBeGreaterThan(0);
    } finally {
      await locator.dispose();
    }
  });
});
