import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from './load';
import type { Dataset } from './model';
import { parseSeedName } from './seed-convention';
import { summarizeDataset } from './summary';

describe('parseSeedName', () => {
  it('reads state, timestamp, zone and file kind from the three suffixes', () => {
    expect(parseSeedName('zona1_ko_2_3_20240105T101112_zona_10_imageDANO_original.jpg')).toEqual({
      stem: 'zona1_ko_2_3_20240105T101112_zona_10_',
      state: 'damaged',
      timestamp: '20240105T101112',
      zone: 10,
      kind: 'image',
    });
    expect(parseSeedName('zona1_ok_2_3_1700000000_zona_3_imageDANO_original.json')).toMatchObject({ state: 'undamaged', zone: 3, kind: 'ground_truth' });
    expect(parseSeedName('zona1_ko_2_3_1700000000_zona_3_labelDANO_modificado.json')).toMatchObject({ kind: 'segmentation' });
  });

  it('rejects names outside the convention', () => {
    expect(parseSeedName('zona1_xx_2_3_1700000000_zona_3_imageDANO_original.jpg')).toBeNull();
    expect(parseSeedName('zona1_ko_2_3_1700000000_zona_3_imageDANO_original.png')).toBeNull();
    expect(parseSeedName('zona1_ko_2_3_1700000000_zona__imageDANO_original.jpg')).toBeNull();
    expect(parseSeedName('IMG_0001.jpg')).toBeNull();
  });
});

/** A small, clean folder in the seed convention: two ko photos (polygon, rectangle, label "9") and two ok photos. */
describe('a clean seed-convention folder', () => {
  let root: string;
  let dataset: Dataset;

  const labelme = (imagePath: string, shapes: { label: string; points: number[][]; shape_type: string }[]) =>
    JSON.stringify({ version: '5.2.1', flags: {}, shapes, imagePath, imageData: null, imageWidth: 400, imageHeight: 300 });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-seed-'));
    const image = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 90, g: 110, b: 130 } } }).jpeg().toBuffer();
    const photos: { stem: string; shapes: { label: string; points: number[][]; shape_type: string }[] }[] = [
      {
        stem: 'zona1_ko_2_3_1700000001_zona_7_',
        shapes: [
          { label: '2', points: [[10, 10], [60, 12], [55, 40]], shape_type: 'polygon' },
          { label: '4', points: [[100, 100], [180, 150]], shape_type: 'rectangle' },
          { label: '9', points: [[200, 200], [220, 200], [220, 220]], shape_type: 'polygon' },
        ],
      },
      { stem: 'zona1_ko_2_3_1700000002_zona_7_', shapes: [{ label: '4', points: [[300, 50], [350, 50], [350, 90]], shape_type: 'polygon' }] },
      { stem: 'zona1_ok_2_3_1700000003_zona_1_', shapes: [] },
      { stem: 'zona1_ok_2_3_1700000004_zona_10_', shapes: [] },
    ];
    for (const { stem, shapes } of photos) {
      const imageName = `${stem}imageDANO_original.jpg`;
      await writeFile(join(root, imageName), image);
      await writeFile(join(root, `${stem}imageDANO_original.json`), labelme(imageName, shapes));
      if (stem.includes('_ko_')) await writeFile(join(root, `${stem}labelDANO_modificado.json`), labelme(imageName, shapes));
    }
    dataset = await loadDataset(root);
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('loads every photo with state, zone, timestamp and shapes from the segmentation, and no problem', () => {
    expect(dataset.format).toBe('seed');
    expect(dataset.problems).toEqual([]);
    expect(dataset.photos.map((p) => [p.id, p.state, p.zone, p.timestamp, p.width, p.height])).toEqual([
      ['zona1_ko_2_3_1700000001_zona_7_imageDANO_original', 'damaged', 7, '1700000001', 400, 300],
      ['zona1_ko_2_3_1700000002_zona_7_imageDANO_original', 'damaged', 7, '1700000002', 400, 300],
      ['zona1_ok_2_3_1700000003_zona_1_imageDANO_original', 'undamaged', 1, '1700000003', 400, 300],
      ['zona1_ok_2_3_1700000004_zona_10_imageDANO_original', 'undamaged', 10, '1700000004', 400, 300],
    ]);
    const first = dataset.photos[0]!;
    expect(first.annotationFiles).toEqual([
      join(root, 'zona1_ko_2_3_1700000001_zona_7_imageDANO_original.json'),
      join(root, 'zona1_ko_2_3_1700000001_zona_7_labelDANO_modificado.json'),
    ]);
    expect(first.shapes.map((s) => [s.label, s.damageType, s.shapeType])).toEqual([
      ['2', 'dent', 'polygon'],
      ['4', 'deep_scratch', 'rectangle'],
      ['9', null, 'polygon'],
    ]);
    expect(first.shapes[1]!.points).toEqual([[100, 100], [180, 100], [180, 150], [100, 150]]);
    expect(first.shapes[0]!.bbox).toEqual({ x: 10, y: 10, width: 50, height: 30 });
  });

  it('summarises states, zones, damage types (shapes and photos) and non-damage labels', () => {
    const summary = summarizeDataset(dataset);
    expect(summary).toMatchObject({ version: 1, format: 'seed', photos: 4, states: { damaged: 2, undamaged: 2 } });
    expect(summary.zones).toEqual({ 1: 1, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 2, 8: 0, 9: 0, 10: 1, unknown: 0 });
    expect(summary.damageTypes.deep_scratch).toEqual({ shapes: 2, photos: 2 });
    expect(summary.damageTypes.dent).toEqual({ shapes: 1, photos: 1 });
    expect(summary.damageTypes.crack).toEqual({ shapes: 0, photos: 0 });
    expect(summary.labels).toEqual({ 4: 2, 2: 1, 9: 1 });
    expect(summary.nonDamageLabels).toEqual({ 9: 1 });
    expect(summary.problems).toEqual({ errors: 0, warnings: 0, byCode: {} });
  });
});
