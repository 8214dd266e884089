import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../dataset/load';
import type { Photo } from '../dataset/model';
import { writeFixture } from '../fixture/fixture';
import { createFeatureMapExtractor } from './feature-maps';
import { readDamageHeadsManifest } from './manifest';
import { claimGroups, splitPhotos } from '../split/split';
import { brier } from './binary-metrics';
import { trainDamageHeads, trainingPartition } from './train';

function photo(id: string): Photo {
  const fileName = `${id.split('__')[1]}.jpg`;
  return { id, imagePath: `/data/${fileName}`, fileName, state: 'damaged', zone: null, timestamp: null, width: 640, height: 640, shapes: [], annotationFiles: [] };
}

/** 300 bilgi-style claims of 1-3 photos each (serials in runs), and 200 car-parts photos. */
const photos: Photo[] = [
  ...Array.from({ length: 300 }, (_, claim) => Array.from({ length: 1 + (claim % 3) }, (_, k) => photo(`bilgi-car-damage__0000000001_${claim * 100 + k}_jpg.rf.x${claim}_${k}`))).flat(),
  ...Array.from({ length: 200 }, (_, i) => photo(`car-parts-undamaged__train${i}`)),
];

describe('trainingPartition', () => {
  it('uses training-side photos only, never splits a claim between fit and calibration, and is stable', () => {
    const { fit, calibration, heldOut } = trainingPartition(photos, 0.25);
    const sides = new Map(splitPhotos(photos).map((a) => [a.photoId, a.side]));
    expect([...fit, ...calibration].every((p) => sides.get(p.id) === 'train')).toBe(true);
    expect(fit.length + calibration.length + heldOut).toBe(photos.length);
    const groups = claimGroups(photos);
    const fitGroups = new Set(fit.map((p) => groups.get(p.id)));
    expect(calibration.some((p) => fitGroups.has(groups.get(p.id)))).toBe(false);
    expect(new Set(fit.map((p) => p.id)).size).toBe(fit.length);
    // A share of about a quarter of the training claims goes to calibration.
    expect(calibration.length / (fit.length + calibration.length)).toBeGreaterThan(0.15);
    expect(calibration.length / (fit.length + calibration.length)).toBeLessThan(0.35);
    expect(trainingPartition([...photos].reverse(), 0.25).calibration.map((p) => p.id).sort()).toEqual(calibration.map((p) => p.id).sort());
  });

  it('scores probabilities with the Brier score', () => {
    expect(brier([0.8, 0.2], [true, false])).toBeCloseTo(0.04);
  });
});

describe('trainDamageHeads on a fixture', () => {
  it('gives identical heads for the same seed and different ones for another seed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'carlens-train-'));
    try {
      await writeFixture(join(dir, 'fx'), { ko: 8, ok: 6, seed: 4, width: 320, height: 240 });
      const { photos } = await loadDataset(join(dir, 'fx'));
      const manifest = await readDamageHeadsManifest();
      const extractor = await createFeatureMapExtractor(manifest.id, manifest.backboneSpec, manifest.cellStride, join(dir, 'models'));
      const train = (seed: number) => trainDamageHeads({ photos, manifest, extractor, carBox: async () => null, seed, hidden: 4, epochs: 1, calibrationShare: 0.4 });
      const first = await train(1);
      const again = await train(1);
      expect(again.damage).toEqual(first.damage);
      expect(again.type).toEqual(first.type);
      expect(again.photo).toEqual(first.photo);
      expect(again.windowThreshold).toBe(first.windowThreshold);
      expect((await train(2)).damage.w1).not.toEqual(first.damage.w1);
      await extractor.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
