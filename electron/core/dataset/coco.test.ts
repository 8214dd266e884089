import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelme, photo } from './bad-input-fixtures';
import { cocoDocument, writeCocoFolder, writeLabelMeFolder, type FixturePhoto } from './coco-fixtures';
import { loadDataset } from './load';
import type { Dataset, Photo } from './model';

const LABEL_MAP = JSON.stringify({ map: { scratch: 'surface_scratch', dent: 'dent' } });
const ZONES = 'image,zone\na.jpg,4\nb.png,\n';
const square = (x: number, y: number, s = 30): number[][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

const PHOTOS: FixturePhoto[] = [
  {
    file: 'a.jpg',
    width: 320,
    height: 240,
    shapes: [
      { label: 'scratch', polygon: [[40, 40], [90, 45], [80, 90], [35, 80]] },
      { label: 'dent', box: [150, 100, 60, 40] },
      { label: 'door', polygon: [[10, 10], [300, 10], [300, 230], [10, 230]] },
    ],
  },
  { file: 'b.png', width: 200, height: 150, shapes: [{ label: 'door', polygon: square(20, 20, 100) }] },
  { file: 'c.jpg', width: 160, height: 120, shapes: [] },
];

const problemKeys = (dataset: Dataset) => dataset.problems.map((p) => `${p.severity} ${p.code} ${p.file}`).sort();
/** What every phase reads of a photo; where the files lie and which annotation file it came from differ by format. */
const comparable = (dataset: Dataset) => dataset.photos.map(({ imagePath: _path, annotationFiles: _files, ...rest }) => rest);

describe('COCO folder', () => {
  let root: string;
  const folder = async (name: string) => {
    const path = join(root, name);
    await mkdir(path, { recursive: true });
    return path;
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-coco-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('loads the same photos and shapes as the equivalent LabelMe folder', async () => {
    const cocoRoot = await folder('coco');
    const labelmeRoot = await folder('labelme');
    for (const dir of [cocoRoot, labelmeRoot]) {
      await writeFile(join(dir, 'labelmap.json'), LABEL_MAP);
      await writeFile(join(dir, 'zones.csv'), ZONES);
    }
    await writeCocoFolder(cocoRoot, PHOTOS);
    await writeLabelMeFolder(labelmeRoot, PHOTOS);
    const coco = await loadDataset(cocoRoot);
    const plain = await loadDataset(labelmeRoot);
    expect([coco.format, plain.format]).toEqual(['coco', 'labelme']);
    expect(comparable(coco)).toEqual(comparable(plain));
    expect(problemKeys(coco)).toEqual(problemKeys(plain));
    expect(problemKeys(coco)).toEqual(['warning annotation_missing c.jpg']);

    const [a, b, c] = coco.photos as [Photo, Photo, Photo];
    expect(a).toMatchObject({ id: 'a', state: 'damaged', zone: 4, width: 320, height: 240, annotationFiles: [] });
    expect(a.shapes.map((s) => [s.label, s.damageType, s.shapeType])).toEqual([
      ['scratch', 'surface_scratch', 'polygon'],
      ['dent', 'dent', 'rectangle'],
      ['door', null, 'polygon'],
    ]);
    expect(a.shapes[1]!.points).toEqual([[150, 100], [210, 100], [210, 140], [150, 140]]);
    expect([b.state, b.zone, c.state, c.shapes]).toEqual(['undamaged', null, 'undamaged', []]);
  });

  it('applies the folder state like a LabelMe folder: a damaged photo without annotation is skipped', async () => {
    const dir = await folder('state');
    await writeFile(join(dir, 'labelmap.json'), LABEL_MAP);
    await writeCocoFolder(dir, PHOTOS);
    const damaged = await loadDataset(dir, { state: 'damaged' });
    expect(damaged.photos.map((p) => [p.id, p.state])).toEqual([['a', 'damaged'], ['b', 'damaged']]);
    expect(problemKeys(damaged)).toEqual(['error annotation_missing c.jpg', 'warning no_damage_shapes b.png']);
    const undamaged = await loadDataset(dir, { state: 'undamaged' });
    expect(undamaged.photos.flatMap((p) => p.shapes.map((s) => s.damageType))).toEqual([null, null, null, null]);
  });

  it('finds images in an images/ folder beside coco.json, reads a flat polygon, and keeps a LabelMe pair named coco.json a LabelMe folder', async () => {
    const dir = await folder('layout');
    const moved = PHOTOS.map((p) => ({ ...p, file: `images/${p.file}` }));
    const document = cocoDocument(moved);
    for (const image of document.images) image.file_name = String(image.file_name).replace('images/', '');
    // Some exporters write one polygon without the outer list.
    document.annotations[0]!.segmentation = (document.annotations[0]!.segmentation as number[][])[0];
    await writeCocoFolder(dir, moved, document, 'coco.json');
    const dataset = await loadDataset(dir);
    expect(dataset.format).toBe('coco');
    expect(dataset.photos.map((p) => [p.id, p.fileName])).toEqual([['a', 'images/a.jpg'], ['b', 'images/b.png'], ['c', 'images/c.jpg']]);
    expect(dataset.photos[0]!.shapes[0]!.points).toEqual([[40, 40], [90, 45], [80, 90], [35, 80]]);

    const pair = await folder('labelme-named-coco');
    await writeFile(join(pair, 'coco.jpg'), await photo());
    await writeFile(join(pair, 'coco.json'), labelme([{ label: 'dent', points: square(10, 10) }]));
    const plain = await loadDataset(pair);
    expect([plain.format, plain.photos.map((p) => p.id), plain.problems]).toEqual(['labelme', ['coco'], []]);
  });

  it('reports a COCO file that is not JSON once, and reads nothing else from it', async () => {
    const dir = await folder('malformed');
    await writeCocoFolder(dir, PHOTOS);
    await writeFile(join(dir, '_annotations.coco.json'), '{ "images": [ { "id": 1, ');
    const dataset = await loadDataset(dir);
    expect([dataset.format, dataset.photos]).toEqual(['coco', []]);
    expect(problemKeys(dataset)).toEqual(['error malformed_json _annotations.coco.json']);
    expect(dataset.problems[0]!.message).toMatch(/^not valid JSON: .*\(no photo read from it\)$/);
  });
});

describe('COCO bad-input corpus', () => {
  let root: string;
  let dataset: Dataset;
  const COCO = '_annotations.coco.json';
  const box = [20, 20, 60, 40];
  const rle = { counts: [100, 20, 200], size: [240, 320] };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-coco-bad-'));
    const files = ['good', 'crowd', 'rle', 'bare', 'uncat', 'resized', 'odd', 'clipped', 'trunc', 'gone'];
    const photos: FixturePhoto[] = files.map((name) => ({ file: `${name}.jpg`, width: 320, height: 240, shapes: name === 'bare' ? [] : [{ label: 'dent', polygon: square(40, 40) }] }));
    const document = cocoDocument(photos);
    const annotationOf = (name: string) => document.annotations[files.filter((f) => f !== 'bare').indexOf(name)]!;
    Object.assign(annotationOf('crowd'), { iscrowd: 1, segmentation: rle, bbox: box });
    Object.assign(annotationOf('rle'), { segmentation: rle, bbox: box });
    Object.assign(annotationOf('uncat'), { category_id: 77 });
    Object.assign(annotationOf('odd'), { segmentation: [[40, 40, 70, 40, 70]] });
    Object.assign(annotationOf('clipped'), { segmentation: [[300, 200, 330, 200, 330, 230, 300, 230]] });
    Object.assign(document.images[files.indexOf('resized')]!, { width: 640, height: 480 });
    document.annotations.push({ id: 500, image_id: 999, category_id: 1, segmentation: [square(10, 10).flat()], bbox: [10, 10, 30, 30], iscrowd: 0 });
    document.images.push({ id: 600, width: 320, height: 240 });
    await writeCocoFolder(root, photos.filter((p) => p.file !== 'gone.jpg'), document);
    const good = await photo();
    await writeFile(join(root, 'trunc.jpg'), good.subarray(0, Math.floor(good.length / 2)));
    await writeFile(join(root, 'stray.jpg'), good);
    await writeFile(join(root, 'labelmap.json'), LABEL_MAP);
    dataset = await loadDataset(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('gives each bad case exactly one problem naming its file, and loads the rest', () => {
    expect(dataset.format).toBe('coco');
    expect(problemKeys(dataset)).toEqual([
      `error image_missing ${COCO}`,
      'error image_not_listed stray.jpg',
      `error invalid_coco ${COCO}`,
      `error invalid_coco ${COCO}`,
      'error truncated_image trunc.jpg',
      `error unknown_category_id ${COCO}`,
      'warning annotation_missing bare.jpg',
      'warning crowd_annotation crowd.jpg',
      'warning points_clipped clipped.jpg',
      'warning rle_segmentation rle.jpg',
      'warning size_mismatch resized.jpg',
      `warning unknown_image_id ${COCO}`,
    ]);
    expect(dataset.photos.map((p) => p.id).sort()).toEqual(['bare', 'clipped', 'crowd', 'good', 'resized', 'rle']);
  });

  it('says in each message which entry or annotation is at fault', () => {
    const message = (code: string) => dataset.problems.find((p) => p.code === code)!.message;
    expect(message('image_missing')).toBe('gone.jpg (image id 10) is not in the folder nor in images/ (entry skipped)');
    expect(message('unknown_category_id')).toBe('uncat.jpg: annotation 4 names category id 77, which categories[] lacks (photo skipped: the damage on it cannot be told)');
    expect(message('unknown_image_id')).toBe('annotation 500 names image id 999, which images[] lacks (annotation ignored)');
    expect(message('points_clipped')).toBe(`annotation 7 ('dent') in ${COCO} reaches 10 px outside the 320×240 image (clipped to the image)`);
    expect(message('image_not_listed')).toBe(`not among the images of ${COCO} (file skipped)`);
    const invalid = dataset.problems.filter((p) => p.code === 'invalid_coco').map((p) => p.message).sort();
    expect(invalid).toEqual([
      'images[10]: file_name: Invalid input: expected string, received undefined (entry skipped)',
      'odd.jpg: annotation 6: polygon 1 has an odd number of coordinates (5) (photo skipped: the damage on it cannot be told)',
    ]);
  });

  it('keeps crowd and RLE annotations as their bbox, and scales annotations drawn on a resized copy', () => {
    const byId = new Map(dataset.photos.map((p) => [p.id, p]));
    for (const id of ['crowd', 'rle']) {
      expect(byId.get(id)!.shapes.map((s) => [s.shapeType, s.damageType, s.bbox])).toEqual([['rectangle', 'dent', { x: 20, y: 20, width: 60, height: 40 }]]);
      expect(byId.get(id)!.state).toBe('damaged');
    }
    expect(byId.get('resized')!.shapes[0]!.bbox).toEqual({ x: 20, y: 20, width: 15, height: 15 });
    expect(byId.get('bare')!.state).toBe('undamaged');
  });
});
