import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelme, photo, square } from './bad-input-fixtures';
import { loadDataset } from './load';
import type { Dataset } from './model';

const name = (state: 'ko' | 'ok', ts: string, zone: number) => `zona1_${state}_2_3_${ts}_zona_${zone}_`;
const files = {
  image: (stem: string) => `${stem}imageDANO_original.jpg`,
  truth: (stem: string) => `${stem}imageDANO_original.json`,
  seg: (stem: string) => `${stem}labelDANO_modificado.json`,
};

describe('seed-convention bad-input corpus', () => {
  let root: string;
  let dataset: Dataset;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-bad-input-'));
    const good = await photo();
    const write = (file: string, data: string | Buffer) => writeFile(join(root, file), data);
    const truth = labelme([]);
    const addKo = async (stem: string, segmentation: string, image: Buffer = good) => {
      await write(files.image(stem), image);
      await write(files.truth(stem), truth);
      await write(files.seg(stem), segmentation);
    };

    await addKo(name('ko', '1001', 4), labelme([{ label: '2', points: square(40, 40) }, { label: '1', points: [[100, 100], [140, 130]], shape_type: 'rectangle' }]));
    await write(files.image(name('ok', '1002', 2)), good);
    await write(files.truth(name('ok', '1002', 2)), truth);

    await addKo(name('ko', '2001', 1), labelme([{ label: '2', points: square(10, 10) }]), Buffer.alloc(0));
    await addKo(name('ko', '2002', 1), labelme([{ label: '2', points: square(10, 10) }]), Buffer.from('this is text, not a JPEG'));
    await addKo(name('ko', '2003', 1), labelme([{ label: '2', points: square(10, 10) }]), good.subarray(0, Math.floor(good.length / 2)));
    // Only the end-of-image marker missing: the header and every pixel row are intact.
    await addKo(name('ko', '2010', 1), labelme([{ label: '2', points: square(10, 10) }]), good.subarray(0, good.length - 2));
    await addKo(name('ko', '2004', 1), labelme([{ label: '2', points: square(10, 10) }], 1200, 1000), await photo(1200, 1000));
    await addKo(name('ko', '2005', 1), '{ "shapes": [ {"label": "2", ');
    await addKo(name('ko', '2006', 1), JSON.stringify({ shapes: [], imagePath: 'x.jpg', imageHeight: 240 }));
    await write(files.truth(name('ko', '2007', 1)), truth);
    await write(files.seg(name('ko', '2007', 1)), labelme([{ label: '2', points: square(10, 10) }]));
    await write(files.image(name('ko', '2008', 1)), good);
    await write(files.truth(name('ko', '2008', 1)), truth);
    await addKo(name('ko', '2009', 11), labelme([{ label: '2', points: square(10, 10) }]));
    await write('holiday_photo.jpg', good);

    await addKo(name('ko', '3001', 5), labelme([{ label: '3', points: [[-6, 10], [60, 10], [60, 50]] }, { label: '4', points: square(30, 30) }]));
    await addKo(name('ko', '3002', 5), labelme([{ label: '5', points: [[400, 300], [450, 300], [450, 350]] }, { label: '4', points: square(30, 30) }]));
    await addKo(name('ko', '3003', 6), labelme([{ label: '2', points: [[10, 10], [50, 50]] }, { label: '4', points: square(30, 30) }]));
    await addKo(name('ko', '3004', 7), labelme([{ label: 'scuff', points: square(10, 10) }, { label: '4', points: square(30, 30) }]));
    await addKo(name('ko', '3005', 8), labelme([{ label: '9', points: square(10, 10) }]));
    await addKo(name('ko', '3006', 9), labelme([{ label: '6', points: square(80, 60, 40) }], 640, 480));
    await addKo(name('ko', '3009', 2), labelme([{ label: '1', points: [[10, 50], [40, 50], [90, 50]] }, { label: '4', points: square(30, 30) }]));
    await write(files.image(name('ok', '3007', 3)), good);
    await write(files.truth(name('ok', '3007', 3)), truth);
    await write(files.seg(name('ok', '3007', 3)), labelme([{ label: '2', points: square(10, 10) }]));
    await addKo(name('ko', '3008', 10), labelme([{ label: '2', points: square(10, 10) }]));
    await write(`${name('ko', '3008', 10)}imageDANO_original.jpeg`, good);

    dataset = await loadDataset(root, { maxPixels: 1_000_000 });
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('reports exactly one precise problem per bad file', () => {
    const problems = dataset.problems.map((p) => `${p.severity} ${p.code} ${p.file}`).sort();
    expect(problems).toEqual([
      `error bad_name ${files.image(name('ko', '2009', 11))}`,
      'error bad_name holiday_photo.jpg',
      `error empty_file ${files.image(name('ko', '2001', 1))}`,
      `error image_missing ${files.seg(name('ko', '2007', 1))}`,
      `error image_missing ${files.truth(name('ko', '2007', 1))}`,
      `error image_too_large ${files.image(name('ko', '2004', 1))}`,
      `error invalid_labelme ${files.seg(name('ko', '2006', 1))}`,
      `error malformed_json ${files.seg(name('ko', '2005', 1))}`,
      `error not_an_image ${files.image(name('ko', '2002', 1))}`,
      `error segmentation_missing ${files.image(name('ko', '2008', 1))}`,
      `error truncated_image ${files.image(name('ko', '2003', 1))}`,
      `error truncated_image ${files.image(name('ko', '2010', 1))}`,
      `warning no_damage_shapes ${files.seg(name('ko', '3005', 8))}`,
      `warning points_clipped ${files.seg(name('ko', '3001', 5))}`,
      `warning shape_outside_image ${files.seg(name('ko', '3002', 5))}`,
      `warning shape_too_few_points ${files.seg(name('ko', '3003', 6))}`,
      `warning size_mismatch ${files.seg(name('ko', '3006', 9))}`,
      `warning unknown_label ${files.seg(name('ko', '3004', 7))}`,
      `warning unexpected_segmentation ${files.seg(name('ok', '3007', 3))}`,
      `warning shape_degenerate ${files.seg(name('ko', '3009', 2))}`,
      `error duplicate_photo ${files.image(name('ko', '3008', 10))}`,
    ].sort());
  });

  it('says what is wrong in words a person can act on', () => {
    const message = (code: string) => dataset.problems.find((p) => p.code === code)?.message;
    expect(message('shape_too_few_points')).toBe("shape 1 ('2') has 2 points; at least 3 are needed (shape dropped)");
    expect(message('points_clipped')).toBe("shape 1 ('3') reaches 6 px outside the 320×240 image (clipped to the image)");
    expect(message('image_too_large')).toBe('1200×1000 = 1,200,000 pixels exceeds the limit of 1,000,000 (photo skipped)');
    expect(message('truncated_image')).toBe('the image is truncated: its data ends before the last pixel (photo skipped)');
    expect(message('unknown_label')).toBe("label 'scuff' is not a damage type (1-8) nor 9; kept as a non-damage shape");
    expect(message('size_mismatch')).toBe('annotation says 640×480 but the image is 320×240; points scaled to the image');
    expect(message('shape_degenerate')).toBe("shape 1 ('1') has no area: its 3 points lie on one line (shape dropped)");
    expect(message('no_damage_shapes')).toBe("damaged photo has 1 shape but none is a damage type (labels 1-8); labels: '9'; it yields no damage crop");
    expect(message('duplicate_photo')).toBe(`same photo id as ${name('ko', '3008', 10)}imageDANO_original.jpeg (file skipped)`);
  });

  it('still loads every good photo, fixed where it could be', () => {
    const byTs = new Map(dataset.photos.map((p) => [p.timestamp, p]));
    expect([...byTs.keys()].sort()).toEqual(['1001', '1002', '3001', '3002', '3003', '3004', '3005', '3006', '3007', '3008', '3009']);
    expect(byTs.get('3007')).toMatchObject({ state: 'undamaged', shapes: [] });
    expect(byTs.get('3008')!.fileName).toBe(`${name('ko', '3008', 10)}imageDANO_original.jpeg`);

    const ko = byTs.get('1001')!;
    expect(ko).toMatchObject({ state: 'damaged', zone: 4, width: 320, height: 240 });
    expect(ko.shapes.map((s) => [s.label, s.damageType, s.points.length])).toEqual([['2', 'dent', 4], ['1', 'surface_scratch', 4]]);
    expect(ko.shapes[1]!.bbox).toEqual({ x: 100, y: 100, width: 40, height: 30 });
    expect(byTs.get('1002')).toMatchObject({ state: 'undamaged', zone: 2, shapes: [] });

    expect(byTs.get('3001')!.shapes[0]!.points[0]).toEqual([0, 10]);
    expect(byTs.get('3002')!.shapes.map((s) => s.damageType)).toEqual(['deep_scratch']);
    expect(byTs.get('3004')!.shapes.map((s) => s.damageType)).toEqual([null, 'deep_scratch']);
    expect(byTs.get('3005')!.shapes.map((s) => [s.label, s.damageType])).toEqual([['9', null]]);
    expect(byTs.get('3006')!.shapes[0]!.bbox).toEqual({ x: 40, y: 30, width: 20, height: 20 });
  });
});

describe('plain LabelMe folder bad input', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-labelme-'));
    const good = await photo();
    await writeFile(join(root, 'a.jpg'), good);
    await writeFile(join(root, 'a.json'), labelme([{ label: 'scratch', points: square(10, 10) }, { label: 'part_door', points: square(50, 50, 60) }]));
    await writeFile(join(root, 'b.jpg'), good);
    await writeFile(join(root, 'b.json'), labelme([{ label: 'part_hood', points: square(50, 50, 60) }]));
    await writeFile(join(root, 'a.png'), await sharp(good).png().toBuffer());
    await writeFile(join(root, 'c.jpg'), good);
    await writeFile(join(root, 'orphan.json'), labelme([]));
    await writeFile(join(root, 'labelmap.json'), JSON.stringify({ map: { scratch: 'surface_scratch', airbag: null } }));
    await writeFile(join(root, 'zones.csv'), 'image,zone,view\na.jpg,7,side\nb.jpg,,front\nc.jpg,12,rear\n');
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('decides the state per photo from its damage shapes and reads zones and the label map', async () => {
    const dataset = await loadDataset(root);
    expect(dataset.format).toBe('labelme');
    const byId = new Map(dataset.photos.map((p) => [p.id, p]));
    expect(byId.get('a')).toMatchObject({ state: 'damaged', zone: 7 });
    expect(byId.get('a')!.shapes.map((s) => s.damageType)).toEqual(['surface_scratch', null]);
    expect(byId.get('b')).toMatchObject({ state: 'undamaged', zone: null });
    expect(byId.get('c')).toMatchObject({ state: 'undamaged', zone: null, shapes: [] });
    expect(dataset.problems.map((p) => `${p.severity} ${p.code} ${p.file}`).sort()).toEqual([
      'error duplicate_photo a.png',
      'error image_missing orphan.json',
      'warning annotation_missing c.jpg',
      'warning bad_zone_table zones.csv',
    ]);
    expect(dataset.problems.find((p) => p.code === 'bad_zone_table')!.message).toBe("line 4: zone '12' for c.jpg is not 1-10 (zone unknown)");
  });

  it('with a damaged flag, a photo without annotation is skipped and one without damage is flagged', async () => {
    const dataset = await loadDataset(root, { state: 'damaged' });
    expect(dataset.photos.map((p) => p.id).sort()).toEqual(['a', 'b']);
    expect(dataset.problems.map((p) => `${p.severity} ${p.code} ${p.file}`).sort()).toEqual([
      'error annotation_missing c.jpg',
      'error duplicate_photo a.png',
      'error image_missing orphan.json',
      'warning bad_zone_table zones.csv',
      'warning no_damage_shapes b.json',
    ]);
    expect(dataset.problems.find((p) => p.code === 'no_damage_shapes')!.message).toBe(
      "damaged photo has 1 shape but none is a damage type (per labelmap.json); labels: 'part_hood'; it yields no damage crop",
    );
  });

  it('with an undamaged flag, no label counts as damage', async () => {
    const dataset = await loadDataset(root, { state: 'undamaged' });
    expect(dataset.photos.every((p) => p.state === 'undamaged' && p.shapes.every((s) => s.damageType === null))).toBe(true);
  });

  it('refuses a label map naming an unknown damage type, naming the file', async () => {
    const bad = join(root, 'bad-labelmap.json');
    await writeFile(bad, JSON.stringify({ map: { scratch: 'scratchy' } }));
    await expect(loadDataset(root, { labelMap: bad })).rejects.toThrow(/label map .*bad-labelmap\.json: map\.scratch/);
  });

  it('never quotes the file when a label map or zone table is pointed at some other file', async () => {
    const secret = join(root, 'passwd');
    await writeFile(secret, 'root:x:0:0:root:/root:/bin/bash\n');
    const labelMapError = await loadDataset(root, { labelMap: secret }).catch((error: Error) => error.message);
    expect(labelMapError).toMatch(/label map .*passwd: not valid JSON/);
    expect(labelMapError).not.toContain('root:x');
    const zoneError = await loadDataset(root, { zones: secret }).catch((error: Error) => error.message);
    expect(zoneError).toMatch(/zone table .*passwd/);
    expect(zoneError).not.toContain('root:x');
  });

  it('refuses a folder that does not exist', async () => {
    await expect(loadDataset(join(root, 'nope'))).rejects.toThrow(/dataset folder not found: .*nope/);
  });
});
