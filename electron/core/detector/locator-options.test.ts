import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../models/paths';
import { CarSegmenter, createCarLocator, DEFAULT_DETECTOR_MANIFEST, DEFAULT_SEGMENTER_MANIFEST, Detector, type Detection } from './index';
import { iou } from './geometry';
import { readDetectorManifest } from './manifest';

const photo = join(sharedDir(), 'datasets', 'car-parts-undamaged', 'train3.jpg');
const haveModels = existsSync(photo) && existsSync(join(sharedDir(), 'models', 'yolox-nano', 'yolox_nano.onnx'));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-detector-manifests-'));
});

/** A copy of a shipped manifest with some fields replaced, written to a temporary folder. */
async function manifestWith(source: string, name: string, patch: Record<string, unknown>): Promise<string> {
  const json = { ...JSON.parse(await readFile(source, 'utf8')), ...patch };
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(json));
  return path;
}

describe('model manifests', () => {
  it('names the manifest and the missing weights path', async () => {
    const manifest = await manifestWith(DEFAULT_DETECTOR_MANIFEST, 'no-weights.json', { file: 'missing/yolo.onnx' });
    await expect(Detector.load(manifest)).rejects.toThrow(`detector weights named by ${manifest} not found: ${join(dir, 'missing', 'yolo.onnx')}`);
  });

  it('names the manifest and the field that is wrong', async () => {
    const manifest = await manifestWith(DEFAULT_DETECTOR_MANIFEST, 'bad-format.json', { format: 'ssd' });
    await expect(readDetectorManifest(manifest)).rejects.toThrow(`model manifest ${manifest}: format:`);
  });

  it('takes an inline class list', async () => {
    const manifest = await manifestWith(DEFAULT_DETECTOR_MANIFEST, 'inline-classes.json', { classes: ['a', 'b'] });
    expect((await readDetectorManifest(manifest)).classNames).toEqual(['a', 'b']);
  });
});

describe.skipIf(!haveModels)('car locator options (real YOLOX-Nano)', () => {
  it('gives no mask when the segmenter is turned off, absent, or its weights are missing; an invalid one is an error', async () => {
    const noWeights = await manifestWith(DEFAULT_SEGMENTER_MANIFEST, 'seg-no-weights.json', { file: 'nowhere.onnx' });
    for (const segmenterManifest of [null, join(dir, 'absent.json'), noWeights]) {
      const locator = await createCarLocator({ segmenterManifest });
      const location = await locator.locate(photo);
      expect(location.method).toBe('detector');
      expect(location.mask).toBeNull();
      await locator.dispose();
    }
    const invalid = await manifestWith(DEFAULT_SEGMENTER_MANIFEST, 'seg-invalid.json', { carClassIndices: [] });
    await expect(createCarLocator({ segmenterManifest: invalid })).rejects.toThrow(`model manifest ${invalid}: carClassIndices`);
  });

  it('reports boxes in source pixels whatever the photo size and aspect', async () => {
    const detector = await Detector.load();
    const main = (detections: Detection[]) => detections.filter((d) => d.className === 'car' || d.className === 'truck').sort((a, b) => b.score - a.score)[0]!;
    const original = main(await detector.detect(photo));
    // Twice the size, then padded on the left and bottom: the letterbox changes, the car must move with it.
    const bigger = await sharp(photo).resize(1024, 1024).extend({ left: 300, bottom: 200, background: '#808080' }).jpeg().toBuffer();
    const moved = main(await detector.detect(bigger));
    await detector.dispose();
    const back = { x: (moved.box.x - 300) / 2, y: moved.box.y / 2, width: moved.box.width / 2, height: moved.box.height / 2 };
    // The car covers fewer model pixels in the padded image, so the network's box may differ a little, not more;
    // a box left in model pixels (ratio 416/1324 instead of 416/512) would overlap it poorly.
    expect(iou(back, original.box)).toBeGreaterThan(0.85);
  });

  it('preprocesses as the manifests say: letterboxed BGR 0-255 with 114 padding; NHWC RGB in [-1, 1]', async () => {
    // 200×100 pure red: fits 416×208 at the top-left, rows 208+ are padding.
    const red = await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
    const detector = await Detector.load();
    const { tensor, letterbox } = await detector.prepare(red);
    await detector.dispose();
    expect(letterbox).toMatchObject({ ratio: 2.08, dx: 0, dy: 0, width: 416, height: 208 });
    const plane = 416 * 416;
    const pixel = (x: number, y: number) => [0, 1, 2].map((c) => tensor[c * plane + y * 416 + x]);
    expect(pixel(100, 100)).toEqual([0, 0, 255]);
    expect(pixel(100, 300)).toEqual([114, 114, 114]);

    const segmenter = await CarSegmenter.load();
    const prepared = await segmenter.prepare(red);
    await segmenter.dispose();
    expect(prepared.source).toEqual({ width: 200, height: 100 });
    expect(Array.from(prepared.tensor.subarray(0, 3)).map((v) => Number(v.toFixed(5)))).toEqual([1, -1, -1]);
  });
});
