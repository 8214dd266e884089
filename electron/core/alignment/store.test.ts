import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { l2Normalise } from '../embedder/lexical';
import { blendedTextQuery, topKOverlap } from './blend';
import { mapText, type AlignmentFit, type TextImageMap } from './map';
import { ALIGNMENT_FILES, PIXEL_WEIGHT, readAlignment, writeAlignment } from './store';

const map: TextImageMap = {
  textDim: 3,
  imageDim: 2,
  weights: Float32Array.from([1, 0, 0, 1, 0.5, 0.5]),
  offset: Float32Array.from([0.1, -0.1]),
  lambda: 0.01,
  offsetMode: 'centred',
};
const fit: AlignmentFit = { map, fittedOn: ['a', 'b'], selection: null, parts: { fit: 2, validation: 0, heldout: 1 } };
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('the stored map', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-alignment-store-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads back what was written, and nothing where none was written', async () => {
    await writeAlignment(dir, 'offline-test', fit);
    const stored = (await readAlignment(dir))!;
    expect(stored.info).toMatchObject({ model: 'offline-test', fitted_on: 2, pixel_weight: PIXEL_WEIGHT, lambda: 0.01, offset_mode: 'centred' });
    expect([...stored.map.weights]).toEqual([...map.weights]);
    expect([...stored.map.offset]).toEqual([...map.offset]);
    expect(await readAlignment(join(dir, 'elsewhere'))).toBeNull();
  });

  it('names the file when the weights do not match the description', async () => {
    await writeAlignment(dir, 'offline-test', fit);
    const info = JSON.parse(await readFile(join(dir, ALIGNMENT_FILES.info), 'utf8')) as object;
    await writeFile(join(dir, ALIGNMENT_FILES.info), JSON.stringify({ ...info, text_dim: 5 }));
    await expect(readAlignment(dir)).rejects.toThrow(`${join(dir, ALIGNMENT_FILES.weights)}: 4 × 2 values`);
    await writeFile(join(dir, ALIGNMENT_FILES.info), '{"version": 1');
    await expect(readAlignment(dir)).rejects.toThrow(`${join(dir, ALIGNMENT_FILES.info)}: not valid JSON`);
  });
});

describe('a blended text query', () => {
  it('scores a concat crop by pixel weight × pixels + the rest × context, up to one factor', () => {
    const text = l2Normalise(Float32Array.from([1, 0, 1]));
    const [alpha, beta, pixelWeight] = [0.7, 0.3, 0.25];
    const query = blendedTextQuery(text, map, { alpha, beta, pixelWeight })!;
    const pixels = mapText(map, text)!;
    const crop = (image: number[], context: number[]) => Float32Array.from([...image.map((v) => alpha * v), ...context.map((v) => beta * v)]);
    const crops = [crop([1, 0], [1, 0, 0]), crop([0, 1], [0, 0, 1]), crop([0.6, 0.8], [0, 1, 0])];
    const expected = crops.map((c) => pixelWeight * dot(pixels, c.subarray(0, 2).map((v) => v / alpha)) + (1 - pixelWeight) * dot(text, c.subarray(2).map((v) => v / beta)));
    const scores = crops.map((c) => dot(query, c));
    const factor = scores[0]! / expected[0]!;
    scores.forEach((s, i) => expect(s).toBeCloseTo(factor * expected[i]!, 6));
    expect(blendedTextQuery(new Float32Array(3), map, { alpha, beta, pixelWeight })).toBeNull();
  });

  it('measures the share of a top k that another ranking shares', () => {
    expect(topKOverlap([1, 2, 3, 4, 5], [5, 9, 1, 8, 7])).toBe(0.4);
    expect(topKOverlap([], [1])).toBe(0);
  });
});
