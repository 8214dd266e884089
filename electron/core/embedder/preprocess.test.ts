import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { EmbedderManifest } from './manifest';
import { normalise, patchOrigins, resizeForTower } from './preprocess';

const tower = (over: Partial<EmbedderManifest['image']>): EmbedderManifest['image'] => ({
  input: 'x', output: 'y', width: 2, height: 1, resize: 'resize', channelOrder: 'RGB', scale: 1 / 255,
  mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1], maxBatch: 1, ...over,
});

describe('image preprocessing', () => {
  it('normalises HWC pixels into CHW planes: × scale, − mean, ÷ std', () => {
    const pixels = Buffer.from([255, 0, 51, 0, 255, 102]);
    const out = new Float32Array(6);
    normalise(pixels, tower({}), out);
    // R plane (255, 0): (1 − 0.5)/0.5 = 1, (0 − 0.5)/0.5 = −1; G (0, 255): −1, 3; B (51, 102): 0.2, 0.4.
    expect(Array.from(out).map((v) => +v.toFixed(6))).toEqual([1, -1, -1, 3, 0.2, 0.4]);
  });

  it('puts channels in BGR order and raw 0-255 values when the manifest says so (YOLOX)', () => {
    const out = new Float32Array(6);
    normalise(Buffer.from([10, 20, 30, 40, 50, 60]), tower({ channelOrder: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] }), out);
    expect(Array.from(out)).toEqual([30, 60, 20, 50, 10, 40]);
  });

  it('centre-crops the shortest side for CLIP-style towers and stretches for `resize`', async () => {
    // 4×2: left half black, right half white. Cover-crop to 2×2 keeps the middle columns; fill keeps both halves.
    const raw = Buffer.from([0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255].concat([0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]));
    const image = { data: raw, width: 4, height: 2 };
    const cropped = await resizeForTower(image, tower({ width: 2, height: 2, resize: 'shortest_side_center_crop' }));
    const stretched = await resizeForTower(image, tower({ width: 2, height: 1, resize: 'resize' }));
    expect(cropped.length).toBe(12);
    expect(stretched[0]).toBeLessThan(40);
    expect(stretched[3]).toBeGreaterThan(215);
    expect(await sharp(cropped, { raw: { width: 2, height: 2, channels: 3 } }).stats().then((s) => s.channels[0]!.mean)).toBeGreaterThan(60);
  });

  it('lays patches every stride with the last flush to the edge', () => {
    expect(patchOrigins(448, 224, 224)).toEqual([0, 224]);
    expect(patchOrigins(500, 224, 224)).toEqual([0, 224, 276]);
    expect(patchOrigins(200, 224, 224)).toEqual([0]);
  });
});
