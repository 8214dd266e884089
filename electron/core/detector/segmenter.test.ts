import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readSegmenterManifest } from './manifest';
import { CarSegmenter } from './segmenter';

const manifestReadable = await readSegmenterManifest().then(() => true, () => false);

/**
 * One plane of logits per class; the car class (7) wins a third of the pixels and ties the best class on another
 * third (where the first class of equal ones must win).
 */
function logits(width: number, height: number, classes: number): Float32Array[] {
  const planes = Array.from({ length: classes }, (_, c) => Float32Array.from({ length: width * height }, (_, p) => ((p * 31 + c * 17) % 23) / 4));
  for (let p = 0; p < width * height; p++) {
    const best = Math.max(...planes.map((plane, c) => (c === 7 ? -Infinity : plane[p]!)));
    if (p % 3 === 0) planes[7]![p] = best;
    if (p % 3 === 1) planes[7]![p] = best + 1;
  }
  return planes;
}

/** The plain reading of the mask: per pixel the first best class, 255 when it is car, upsampled, then ≥ 128. */
async function expectedMask(planes: Float32Array[], width: number, height: number, car: number[], size: { width: number; height: number }): Promise<number[]> {
  const small = Buffer.alloc(width * height);
  for (let p = 0; p < width * height; p++) {
    let best = 0;
    for (let c = 1; c < planes.length; c++) if (planes[c]![p]! > planes[best]![p]!) best = c;
    small[p] = car.includes(best) ? 255 : 0;
  }
  const full = await sharp(small, { raw: { width, height, channels: 1 } }).resize(size.width, size.height, { fit: 'fill', kernel: 'linear' }).extractChannel(0).raw().toBuffer();
  return [...full].map((v) => (v >= 128 ? 1 : 0));
}

describe.skipIf(!manifestReadable)('CarSegmenter.toMask', () => {
  it('gives the plain per-pixel argmax mask in both layouts, at a size that is no multiple of four', async () => {
    const [width, height, classes] = [13, 11, 21];
    const planes = logits(width, height, classes);
    const manifest = await readSegmenterManifest();
    const size = { width: 29, height: 23 };
    const expected = await expectedMask(planes, width, height, manifest.carClassIndices, size);
    expect(expected.some((v) => v === 1) && expected.some((v) => v === 0)).toBe(true);

    const nchw = new Float32Array(classes * width * height);
    planes.forEach((plane, c) => nchw.set(plane, c * width * height));
    const nhwc = new Float32Array(classes * width * height);
    planes.forEach((plane, c) => plane.forEach((v, p) => (nhwc[p * classes + c] = v)));

    const segmenter = await CarSegmenter.load();
    try {
      const fromNhwc = await segmenter.toMask({ values: nhwc, dims: [1, height, width, classes] }, size);
      expect([...fromNhwc.data]).toEqual(expected);
      const planar = await CarSegmenter.fromManifest({ ...manifest, input: { ...manifest.input, layout: 'NCHW' } });
      try {
        const fromNchw = await planar.toMask({ values: nchw, dims: [1, classes, height, width] }, size);
        expect([...fromNchw.data]).toEqual(expected);
      } finally {
        await planar.dispose();
      }
    } finally {
      await segmenter.dispose();
    }
  });
});
