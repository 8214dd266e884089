import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../dataset/load';
import type { Photo } from '../dataset/model';
import { defaultSources, mergeDatasets } from '../pipeline/sources';
import { sharedDir } from '../models/paths';
import { splitPhotos } from '../split/split';
import { inspectPhoto, verdictOf } from './inspect';
import { openInspector, type OpenedInspector } from './parts';

describe('verdictOf', () => {
  it('answers uncertain inside the band, and damaged / clean outside it', () => {
    expect(verdictOf(0.5, [0.3, 0.7])).toBe('uncertain');
    expect(verdictOf(0.7, [0.3, 0.7])).toBe('damaged');
    expect(verdictOf(0.3, [0.3, 0.7])).toBe('clean');
  });
});

/** The heads are trained on ../shared; without it there is neither a model source nor a photo to inspect. */
const shared = existsSync(join(sharedDir(), 'datasets'));

describe.skipIf(!shared)('inspectPhoto on held-out real photos (heads only, no index)', () => {
  let dir: string;
  let inspector: OpenedInspector;
  let heldOut: Photo[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carlens-inspect-'));
    inspector = await openInspector(join(dir, 'workspace'));
    const dataset = mergeDatasets(await Promise.all(defaultSources().map((s) => loadDataset(s.path, s))));
    const sides = new Map(splitPhotos(dataset.photos).map((a) => [a.photoId, a.side]));
    heldOut = dataset.photos.filter((p) => sides.get(p.id) === 'heldout');
  }, 60_000);
  afterAll(async () => {
    await inspector?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ranks the window holding a planted real defect first, and the planted photo is more likely damaged', async () => {
    // A clean held-out car-parts photo, with a real dent / scratch cut from a held-out bilgi photo pasted on the car.
    const clean = heldOut.find((p) => p.id.startsWith('car-parts-undamaged__'))!;
    const donor = heldOut.find((p) => p.shapes.some((s) => s.damageType === 'dent' && s.bbox.width > 120 && s.bbox.height > 80))!;
    const defect = donor.shapes.find((s) => s.damageType === 'dent' && s.bbox.width > 120 && s.bbox.height > 80)!;
    const patchSide = Math.round(Math.min(clean.width, clean.height) * 0.22);
    const patch = await sharp(donor.imagePath)
      .extract({ left: Math.round(defect.bbox.x), top: Math.round(defect.bbox.y), width: Math.round(defect.bbox.width), height: Math.round(defect.bbox.height) })
      .resize(patchSide, patchSide, { fit: 'fill' })
      .toBuffer();
    const at = { left: Math.round(clean.width * 0.6), top: Math.round(clean.height * 0.45) };
    const planted = join(dir, 'planted.png');
    await sharp(clean.imagePath).composite([{ input: patch, ...at }]).png().toFile(planted);

    const before = await inspectPhoto(clean.imagePath, inspector);
    const after = await inspectPhoto(planted, inspector);
    const top = after.windows[0]!.box;
    const centre = { x: at.left + patchSide / 2, y: at.top + patchSide / 2 };
    expect(centre.x >= top.x && centre.x < top.x + top.width && centre.y >= top.y && centre.y < top.y + top.height).toBe(true);
    expect(after.damage.probability).toBeGreaterThan(before.damage.probability);
    expect(after.heatmap.values).toHaveLength(after.heatmap.cols * after.heatmap.rows);
    expect(after.windows.map((w) => w.score)).toEqual([...after.windows.map((w) => w.score)].sort((a, b) => b - a));
  }, 60_000);
});
