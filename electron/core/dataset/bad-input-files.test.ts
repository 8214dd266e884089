import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePhoto } from '../crops/image';
import { corruptJpeg, densePolygon, labelme, photo, square } from './bad-input-fixtures';
import { loadDataset } from './load';
import type { Dataset, Photo } from './model';

const problemKeys = (dataset: Dataset) => dataset.problems.map((p) => `${p.severity} ${p.code} ${p.file}`).sort();
const scratch = (points: number[][], shape_type?: string) => [{ label: 'scratch', points, ...(shape_type ? { shape_type } : {}) }];

/** Grey 80×60 stored pixels with a red 10×10 block at (60, 10), shown upright per EXIF `orientation`. */
async function orientedPhoto(orientation: number, width = 80, height = 60): Promise<Buffer> {
  const red = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#f00' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#777' } })
    .composite([{ input: red, left: 60, top: 10 }])
    .jpeg({ quality: 95 })
    .withMetadata({ orientation })
    .toBuffer();
}

describe('plain LabelMe folder: files that used to abort the scan or vanish', () => {
  let root: string;
  let elsewhere: string;
  let dataset: Dataset;
  let byId: Map<string, Photo>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-bad-files-'));
    elsewhere = await mkdtemp(join(tmpdir(), 'carlens-bad-files-target-'));
    const good = await photo();
    const write = (file: string, data: string | Buffer) => writeFile(join(root, file), data);
    const pair = async (stem: string, json: string, image: Buffer = good, extension = 'jpg') => {
      await write(`${stem}.${extension}`, image);
      await write(`${stem}.json`, json);
    };
    await write('labelmap.json', JSON.stringify({ map: { scratch: 'surface_scratch' } }));
    await pair('good', labelme(scratch(square(40, 40))));
    await pair('dense', labelme(scratch(densePolygon(160, 120, 50, 200_000))));
    await pair('corrupt', labelme(scratch(square(40, 40))), await corruptJpeg());
    // EACCES cannot be produced as root (root reads a chmod-000 file), so an unreadable JSON is simulated by a folder
    // named like one: its read fails (EISDIR) on the same path as a permission error. The chmod case runs below when
    // the tests are not run as root.
    await write('folder-named.jpg', good);
    await mkdir(join(root, 'folder-named.json'));
    await write('lone.webp', await sharp(good).webp().toBuffer());
    await write('scan.tif', await sharp(good).tiff().toBuffer());
    await write('lone.heic', Buffer.from('not decodable here'));
    await write('lone.gif', await sharp(good).gif().toBuffer());
    await pair('pair', labelme(scratch(square(40, 40))), Buffer.from('HEIC bytes'), 'heic');
    await writeFile(join(elsewhere, 'real.jpg'), good);
    await writeFile(join(elsewhere, 'real.json'), labelme(scratch(square(40, 40))));
    await symlink(join(elsewhere, 'real.jpg'), join(root, 'linked.jpg'));
    await symlink(join(elsewhere, 'real.json'), join(root, 'linked.json'));
    await write('dangling.jpg', good);
    await symlink(join(elsewhere, 'gone.json'), join(root, 'dangling.json'));
    await symlink(join(elsewhere, 'gone.jpg'), join(root, 'gone.jpg'));
    await pair('point', labelme(scratch([[50, 50]], 'point')));
    await pair('stroke', labelme(scratch([[10, 10], [60, 40], [120, 20]], 'linestrip')));
    const rgba = await sharp({ create: { width: 320, height: 240, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    await pair('alpha', labelme([{ label: 'part_door', points: square(40, 40) }]), rgba, 'png');
    // Stored 80×60, orientation 6 (rotate 90° clockwise): upright 60×80. The red block is at stored (60..70, 10..20).
    await pair('exif-stored', labelme(scratch(square(60, 10, 10)), 80, 60), await orientedPhoto(6));
    await pair('exif-upright', labelme(scratch(square(40, 60, 10)), 60, 80), await orientedPhoto(6));
    await pair('exif-resized', labelme(scratch(square(120, 20, 20)), 160, 120), await orientedPhoto(6));
    await pair('exif-square', labelme(scratch(square(10, 10, 10)), 80, 80), await orientedPhoto(8, 80, 80));
    dataset = await loadDataset(root);
    byId = new Map(dataset.photos.map((p) => [p.id, p]));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  });

  it('reports exactly one problem per bad file, naming it', () => {
    expect(problemKeys(dataset)).toEqual([
      'error corrupt_image corrupt.jpg',
      'error unreadable_file dangling.json',
      'error unreadable_file folder-named.json',
      'error unreadable_file gone.jpg',
      'error unsupported_format lone.gif',
      'error unsupported_format lone.heic',
      'error unsupported_format pair.heic',
      'warning annotation_missing lone.webp',
      'warning annotation_missing scan.tif',
      'warning damage_not_area point.json',
      'warning damage_not_area stroke.json',
      'warning exif_orientation exif-resized.json',
      'warning exif_orientation exif-square.json',
      'warning exif_orientation exif-stored.json',
    ]);
  });

  it('says why in plain words', () => {
    const message = (file: string) => dataset.problems.find((p) => p.file === file)?.message;
    expect(message('corrupt.jpg')).toMatch(/^the image data is corrupt/);
    expect(message('folder-named.json')).toBe('cannot read the file: it is a folder, not a file (photo skipped)');
    expect(message('dangling.json')).toBe('cannot read the file: it does not exist (a broken symbolic link?) (photo skipped)');
    expect(message('gone.jpg')).toBe('cannot read the image file: it does not exist (a broken symbolic link?) (photo skipped)');
    expect(message('lone.heic')).toBe('HEIC image: not a format read here (JPEG, PNG, WebP, TIFF, AVIF); convert it to JPEG to include it (file skipped)');
    expect(message('point.json')).toBe(
      "shape 1 ('scratch') is a point, not an area: damage must be outlined (polygon, rectangle or circle) to be cropped (shape dropped; the photo still counts as damaged)",
    );
    expect(message('exif-stored.json')).toBe(
      'the annotation is in the stored frame (80×60) of a photo with EXIF orientation 6 (rotated 90° clockwise), upright 60×80; points converted to the upright frame',
    );
    expect(message('exif-square.json')).toMatch(/fits both its stored and its upright frame; the upright frame \(as LabelMe shows it\) is used$/);
  });

  it('still loads every good photo, symlinked ones included', () => {
    expect(dataset.photos.map((p) => p.fileName).sort()).toEqual([
      'alpha.png', 'dense.jpg', 'exif-resized.jpg', 'exif-square.jpg', 'exif-stored.jpg', 'exif-upright.jpg', 'good.jpg', 'linked.jpg', 'lone.webp',
      'point.jpg', 'scan.tif', 'stroke.jpg',
    ]);
    expect(byId.get('linked')).toMatchObject({ state: 'damaged', shapes: [{ damageType: 'surface_scratch' }] });
    expect(byId.get('dense')!.shapes[0]!.bbox).toEqual({ x: 110, y: 70, width: 100, height: 100 });
    expect(byId.get('alpha')).toMatchObject({ state: 'undamaged', width: 320, height: 240 });
  });

  it('keeps a photo whose only damage is a point or a stroke damaged, without a second warning', () => {
    expect(byId.get('point')).toMatchObject({ state: 'damaged', shapes: [] });
    expect(byId.get('stroke')).toMatchObject({ state: 'damaged', shapes: [] });
  });

  it('turns polygons drawn on the stored frame of an EXIF-rotated photo onto the upright photo, where the damage is', async () => {
    for (const id of ['exif-stored', 'exif-upright', 'exif-resized']) {
      const rotated = byId.get(id)!;
      expect(rotated).toMatchObject({ width: 60, height: 80 });
      expect(rotated.shapes[0]!.bbox).toEqual({ x: 40, y: 60, width: 10, height: 10 });
      const decoded = await decodePhoto(rotated.imagePath, rotated);
      const at = (45 + 65 * decoded.width) * decoded.channels;
      expect([...decoded.data.subarray(at, at + 3)].map((v) => (v > 200 ? 'hi' : v < 60 ? 'lo' : 'mid'))).toEqual(['hi', 'lo', 'lo']);
    }
    expect(byId.get('exif-square')!.shapes[0]!.bbox).toEqual({ x: 10, y: 10, width: 10, height: 10 });
  });
});

describe.skipIf(process.getuid?.() === 0)('a JSON without read permission (skipped as root, where chmod 000 does not stop reads)', () => {
  it('is one error for that file, and the other photos load', async () => {
    const root = await mkdtemp(join(tmpdir(), 'carlens-denied-'));
    try {
      await writeFile(join(root, 'a.jpg'), await photo());
      await writeFile(join(root, 'a.json'), labelme([]));
      await writeFile(join(root, 'b.jpg'), await photo());
      await writeFile(join(root, 'b.json'), labelme([]));
      await chmod(join(root, 'b.json'), 0o000);
      const dataset = await loadDataset(root);
      expect(problemKeys(dataset)).toEqual(['error unreadable_file b.json']);
      expect(dataset.problems[0]!.message).toBe('cannot read the file: permission denied (photo skipped)');
      expect(dataset.photos.map((p) => p.id)).toEqual(['a']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('seed convention: the same failures', () => {
  const stem = (ts: string) => `zona1_ko_2_3_${ts}_zona_3_`;
  let dataset: Dataset;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-bad-files-seed-'));
    const good = await photo();
    const add = async (ts: string, segmentation: string | null, image: Buffer = good) => {
      await writeFile(join(root, `${stem(ts)}imageDANO_original.jpg`), image);
      await writeFile(join(root, `${stem(ts)}imageDANO_original.json`), labelme([]));
      if (segmentation === null) await mkdir(join(root, `${stem(ts)}labelDANO_modificado.json`));
      else await writeFile(join(root, `${stem(ts)}labelDANO_modificado.json`), segmentation);
    };
    await add('1', labelme([{ label: '2', points: square(40, 40) }]));
    await add('2', labelme([{ label: '2', points: densePolygon(160, 120, 50, 200_000) }]));
    await add('3', null);
    await add('4', labelme([{ label: '2', points: [[50, 50]], shape_type: 'point' }]));
    await add('5', labelme([{ label: '2', points: square(40, 40) }]), await corruptJpeg());
    await writeFile(join(root, `${stem('6')}imageDANO_original.webp`), await sharp(good).webp().toBuffer());
    dataset = await loadDataset(root);
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('reports one problem per bad file and keeps the rest', () => {
    expect(problemKeys(dataset)).toEqual([
      `error corrupt_image ${stem('5')}imageDANO_original.jpg`,
      `error unreadable_file ${stem('3')}labelDANO_modificado.json`,
      `error unsupported_format ${stem('6')}imageDANO_original.webp`,
      `warning damage_not_area ${stem('4')}labelDANO_modificado.json`,
    ]);
    expect(dataset.photos.map((p) => [p.timestamp, p.state, p.shapes.length])).toEqual([
      ['1', 'damaged', 1],
      ['2', 'damaged', 1],
      ['4', 'damaged', 0],
    ]);
  });
});
