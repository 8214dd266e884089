import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeUnlistedCropImages } from './orphans';

let ws: string;
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'carlens-orphans-'));
});
afterAll(() => rm(ws, { recursive: true, force: true }));

describe('removeUnlistedCropImages', () => {
  it('removes the crop images crops.json does not list and keeps every listed one', async () => {
    const images = join(ws, 'crops', 'images');
    await mkdir(images, { recursive: true });
    for (const name of ['p1_c0000000001.jpg', 'p1_c0000000002.jpg', 'p2_g0000000003.jpg', '.p2_g0000000004.jpg.0123456789ab.tmp']) {
      await writeFile(join(images, name), 'jpeg');
    }
    const removed = await removeUnlistedCropImages(ws, ['crops/images/p1_c0000000001.jpg', 'crops/images/p2_g0000000003.jpg', 'crops/images/gone.jpg']);
    expect(removed.sort()).toEqual(['crops/images/.p2_g0000000004.jpg.0123456789ab.tmp', 'crops/images/p1_c0000000002.jpg']);
    expect((await readdir(images)).sort()).toEqual(['p1_c0000000001.jpg', 'p2_g0000000003.jpg']);
  });

  it('does nothing in a workspace without crops', async () => {
    expect(await removeUnlistedCropImages(join(ws, 'empty'), [])).toEqual([]);
  });
});
