import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../dataset/load';
import type { Dataset } from '../dataset/model';
import { createCarLocator } from '../detector/index';
import type { CarLocator } from '../detector/car-locator';
import { sharedDir } from '../models/paths';
import { readCropsMetadata } from './metadata';
import { runCrops } from './run';

/**
 * Phase 1 on a few real photos, as sha256 of every crop's JPEG bytes and of the records' geometry (box, grid
 * position, car share), recorded from the implementation that decoded each photo three times: decoding once,
 * post-processing the mask faster and pipelining photos must not move a pixel. Undamaged 512² photos (grid over
 * detector + mask) and damaged 1024² ones (clean windows: their models' inputs are shrunk on load).
 */
const REFERENCE = {
  undamaged: 'ad98a5e67a5f8a1984cabaee6cc57bfdc8a7d004467d9437fcbfc4f7bcf600ed',
  damaged: 'e1cbb7820c21ce07de4d1fdd90f6150e254848a717f3738f40db10aec9970fc0',
};

const datasets = join(sharedDir(), 'datasets');

async function cropHash(workspace: string): Promise<string> {
  const metadata = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!;
  const hash = createHash('sha256');
  for (const crop of [...metadata.crops].sort((a, b) => a.crop_id.localeCompare(b.crop_id))) {
    hash.update(JSON.stringify([crop.crop_id, crop.bbox, crop.crop_size, crop.grid_position, crop.car_ratio, crop.car_ratio_method, crop.car_fallback]));
    hash.update(await readFile(join(workspace, crop.crop_path)));
  }
  return hash.digest('hex');
}

describe.skipIf(!existsSync(datasets))('crops of real photos', () => {
  let dir: string;
  let locator: CarLocator;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-crops-reference-'));
    locator = await createCarLocator();
  });
  afterAll(async () => {
    await locator.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const pick = (dataset: Dataset, n: number): Dataset => ({ ...dataset, photos: dataset.photos.slice(0, n) });

  it('are byte-identical to those recorded before decoding once per photo', async () => {
    const undamaged = pick(await loadDataset(join(datasets, 'car-parts-undamaged'), { state: 'undamaged' }), 6);
    const damaged = pick(await loadDataset(join(datasets, 'flickr-car-damage-parts'), { state: 'damaged' }), 3);
    const actual: Record<string, string> = {};
    for (const [name, dataset] of [['undamaged', undamaged], ['damaged', damaged]] as const) {
      const workspace = join(dir, name);
      const summary = await runCrops({ dataset, workspace, locator });
      expect(summary.failures).toEqual([]);
      actual[name] = await cropHash(workspace);
    }
    expect(actual).toEqual(REFERENCE);
  }, 120_000);
});
