import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { EmbedderManifest } from './manifest';
import { decodeRgb, normalise, patchOrigins, resizeForTower } from './preprocess';

type Tower = EmbedderManifest['image'];
const tower = (over: Partial<Tower>): Tower => ({
  input: 'x', output: 'y', width: 2, height: 2, resize: 'resize', channelOrder: 'RGB', scale: 1 / 255,
  mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1], maxBatch: 4, ...over,
});

// 4×2 RGB image, pixel (x, y) = [10x + y, 100 + x, 200 − 50y]: every value is known by hand.
const pixel = (x: number, y: number) => [10 * x + y, 100 + x, 200 - 50 * y];
async function tinyPng(): Promise<Buffer> {
  const data = Buffer.alloc(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) data.set(pixel(x, y), (y * 4 + x) * 3);
  return sharp(data, { raw: { width: 4, height: 2, channels: 3 } }).png().toBuffer();
}

describe('image preprocessing', () => {
  it('decodes a transparent pixel as mid-grey (not the black it stores) and an opaque one as is', async () => {
    const png = await sharp(Buffer.from([0, 0, 0, 0, 255, 0, 0, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    expect([...(await decodeRgb(png)).data]).toEqual([128, 128, 128, 255, 0, 0]);
    const grey = await sharp(Buffer.from([0, 0, 200, 255]), { raw: { width: 2, height: 1, channels: 2 } }).png().toBuffer();
    expect([...(await decodeRgb(grey)).data]).toEqual([128, 128, 128, 200, 200, 200]);
  });

  it('shortest-side resize + centre crop keeps the middle columns of a wide image', async () => {
    const raw = await decodeRgb(await tinyPng());
    const pixels = await resizeForTower(raw, tower({ resize: 'shortest_side_center_crop' }));
    // The short side is already 2: no resampling, the crop takes columns 1 and 2.
    expect([...pixels]).toEqual([...pixel(1, 0), ...pixel(2, 0), ...pixel(1, 1), ...pixel(2, 1)]);
  });

  it('scales, subtracts the mean and divides by the std per channel, NCHW, RGB', async () => {
    const raw = await decodeRgb(await tinyPng());
    const pixels = await resizeForTower(raw, tower({ resize: 'shortest_side_center_crop' }));
    const out = new Float32Array(12);
    normalise(pixels, tower({}), out);
    // Red plane, pixel (1,0) = 10 → (10/255 − 0.5) / 0.5; green (2,1) = 102 → (102/255 − 0.25) / 0.25.
    expect(out[0]).toBeCloseTo((10 / 255 - 0.5) / 0.5, 6);
    expect(out[4 + 3]).toBeCloseTo((102 / 255 - 0.25) / 0.25, 6);
    expect(out[8 + 2]).toBeCloseTo(150 / 255, 6);
  });

  it('BGR order puts blue in the first plane; raw 0-255 with scale 1', async () => {
    const raw = await decodeRgb(await tinyPng());
    const pixels = await resizeForTower(raw, tower({ resize: 'shortest_side_center_crop' }));
    const out = new Float32Array(12);
    normalise(pixels, tower({ channelOrder: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] }), out);
    expect([...out.slice(0, 4)]).toEqual([200, 200, 150, 150]);
    expect([...out.slice(8, 12)]).toEqual([10, 20, 11, 21]);
  });

  it('plain resize stretches the whole image (no crop)', async () => {
    const raw = await decodeRgb(await tinyPng());
    const pixels = await resizeForTower(raw, tower({ width: 4, height: 1 }));
    // Height 2 → 1 averages the two rows; columns are kept.
    expect(pixels[0]).toBeCloseTo((pixel(0, 0)[0]! + pixel(0, 1)[0]!) / 2, -0.5);
    expect(pixels[3 * 3 + 2]).toBeCloseTo((pixel(3, 0)[2]! + pixel(3, 1)[2]!) / 2, -0.5);
  });

  it('patch origins cover the image with the last patch flush with the edge', () => {
    expect(patchOrigins(224, 224, 224)).toEqual([0]);
    expect(patchOrigins(500, 224, 224)).toEqual([0, 224, 276]);
    expect(patchOrigins(448, 224, 224)).toEqual([0, 224]);
  });
});
