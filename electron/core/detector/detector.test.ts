import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../models/paths';
import type { CarLocator } from './car-locator';
import { CarSegmenter, createCarLocator, Detector, maskShare } from './index';
import { readDetectorManifest } from './manifest';

const photos = join(sharedDir(), 'datasets', 'car-parts-undamaged');
const weights = join(sharedDir(), 'models', 'yolox-nano', 'yolox_nano.onnx');
const sample = Array.from({ length: 20 }, (_, i) => join(photos, `train${i * 19 + 3}.jpg`));

/** A textured image with nothing car-like in it. */
async function noCarImage(): Promise<Buffer> {
  const width = 480;
  const height = 360;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 120 + 60 * Math.sin(x / 7) * Math.cos(y / 11);
      pixels.set([v, v * 0.9, 80], (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg().toBuffer();
}

describe.skipIf(!existsSync(weights) || !existsSync(photos))('car detector and mask on real photos (YOLOX-Nano, DeepLabV3)', () => {
  let locator: CarLocator;
  beforeAll(async () => {
    locator = await createCarLocator();
  });
  afterAll(() => locator.dispose());

  it('reads its preprocessing from the manifest', async () => {
    const manifest = await readDetectorManifest();
    expect(manifest).toMatchObject({ format: 'yolox', input: { width: 416, channelOrder: 'BGR', scale: 1, padValue: 114 } });
    expect(manifest.classNames[2]).toBe('car');
  });

  it('finds the main car on nearly every whole-car photo, with a box covering much of it', async () => {
    const located = [];
    for (const photo of sample) located.push(await locator.locate(photo));
    const found = located.filter((l) => l.method === 'detector');
    expect(found.length / sample.length).toBeGreaterThanOrEqual(0.9);
    for (const l of found) {
      expect(l.box.width * l.box.height).toBeGreaterThan(0.2 * 512 * 512);
      expect(l.box.x + l.box.width).toBeLessThanOrEqual(512);
    }
    // The segmentation mask agrees: a good share of each photo is car.
    const shares = located.map((l) => maskShare(l.mask!));
    expect(shares.filter((s) => s > 0.2).length / shares.length).toBeGreaterThanOrEqual(0.85);
  });

  it('finds no car in an image without one and falls back to the central region, flagged', async () => {
    const image = await noCarImage();
    const detector = await Detector.load();
    expect((await detector.detect(image)).filter((d) => ['car', 'truck', 'bus'].includes(d.className))).toEqual([]);
    await detector.dispose();
    const segmenter = await CarSegmenter.load();
    expect(maskShare(await segmenter.carMask(image))).toBeLessThan(0.01);
    await segmenter.dispose();
    const file = join(await mkdtemp(join(tmpdir(), 'carlens-nocar-')), 'texture.jpg');
    await writeFile(file, image);
    const location = await locator.locate(file);
    expect(location).toMatchObject({ method: 'fallback_center', score: 0, className: null, box: { x: 48, y: 36, width: 384, height: 288 } });
  });
});
