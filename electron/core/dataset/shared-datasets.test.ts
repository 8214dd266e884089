import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../models/paths';
import { loadDataset } from './load';
import { summarizeDataset } from './summary';

const datasets = join(sharedDir(), 'datasets');
const present = existsSync(datasets);

/** The counts ../shared/datasets/README.md states for each folder. */
describe.skipIf(!present)('the shared real datasets import with their stated counts', () => {
  it('bilgi-car-damage: 600 damaged photos and the label table', async () => {
    const dataset = await loadDataset(join(datasets, 'bilgi-car-damage'), { state: 'damaged' });
    const summary = summarizeDataset(dataset);
    expect(summary.photos).toBe(600);
    expect(summary.states).toEqual({ damaged: 600, undamaged: 0 });
    expect(summary.labels).toEqual({
      scratch: 601,
      broken_or_missing_part: 342,
      dent: 267,
      headlight_damage: 82,
      glass_crack: 74,
      paint_removed_primer_exposed: 69,
      airbag_deployed: 64,
      hood_damage: 29,
    });
    // labelmap.json: airbag_deployed (interior shots of a deployed airbag) is damage without an exterior type,
    // so every label of this set is a damage label; headlight and glass cracks are cracks.
    expect(summary.nonDamageLabels).toEqual({});
    expect(summary.damageTypes.unspecified_damage).toEqual({ shapes: 64, photos: 43 });
    expect(summary.damageTypes.crack.shapes).toBe(82 + 74);
    expect(summary.damageTypes.dent.shapes).toBe(267 + 29);
    expect(summary.zones.unknown).toBe(600);
    // No photo of this subset is without shapes (the README's one shapeless photo is not in it); the 36 that carry
    // only airbag_deployed are damaged photos like the others, with no "no damage shapes" warning.
    const airbagOnly = dataset.photos.filter((p) => p.shapes.length > 0 && p.shapes.every((s) => s.label === 'airbag_deployed'));
    expect(airbagOnly).toHaveLength(36);
    expect(airbagOnly.every((p) => p.shapes.every((s) => s.damageType === 'unspecified_damage'))).toBe(true);
    expect(dataset.photos.filter((p) => !p.shapes.some((s) => s.damageType))).toEqual([]);
    expect(summary.problems).toEqual({ errors: 0, warnings: 0, byCode: {} });
  });

  it('flickr-car-damage-parts: 70 damaged photos, 164 damage polygons, zones from zones.csv', async () => {
    const dataset = await loadDataset(join(datasets, 'flickr-car-damage-parts'), { state: 'damaged' });
    const summary = summarizeDataset(dataset);
    expect(summary.photos).toBe(70);
    expect(summary.labels.damage).toBe(164);
    expect(summary.damageTypes.unspecified_damage.shapes).toBe(164);
    expect(Object.keys(summary.nonDamageLabels).every((label) => label.startsWith('part_'))).toBe(true);
    expect(summary.zones).toEqual({ 1: 0, 2: 22, 3: 0, 4: 0, 5: 17, 6: 0, 7: 0, 8: 0, 9: 0, 10: 0, unknown: 31 });
    // Polygons a pixel outside the image are clipped and reported, never fatal.
    const clipped = dataset.problems.filter((p) => p.code === 'points_clipped');
    expect(clipped.map((p) => `${p.severity} ${p.file}`)).toEqual(['warning 33.json', 'warning 5.json']);
    expect(clipped[0]!.message).toBe("shape 6 ('part_hood') reaches 1 px outside the 1024×1024 image (clipped to the image)");
    expect(summary.problems.byCode).toEqual({ points_clipped: 2 });
  });

  it('car-parts-undamaged: 400 undamaged photos, no damage, zones 1-10 or unknown', async () => {
    const dataset = await loadDataset(join(datasets, 'car-parts-undamaged'), { state: 'undamaged' });
    const summary = summarizeDataset(dataset);
    expect(summary.photos).toBe(400);
    expect(summary.states.undamaged).toBe(400);
    expect(Object.values(summary.damageTypes).every((t) => t.shapes === 0)).toBe(true);
    expect(summary.labels.part_wheel).toBeGreaterThan(0);
    expect(summary.zones).toEqual({ 1: 42, 2: 112, 3: 29, 4: 20, 5: 51, 6: 25, 7: 68, 8: 0, 9: 50, 10: 0, unknown: 3 });
    // SOURCE.md: three polygons go up to 2 px outside the image (train274, train130, train262); train208 reaches
    // 0.3 px outside, below SOURCE.md's rounding, and is clipped and reported too.
    const clipped = dataset.problems.filter((p) => p.code === 'points_clipped');
    expect(clipped.map((p) => `${p.severity} ${p.file}`)).toEqual(['warning train130.json', 'warning train208.json', 'warning train262.json', 'warning train274.json']);
    expect(summary.problems.byCode).toEqual({ points_clipped: 4 });
  });
});
