import { describe, expect, it } from 'vitest';
import { checkFusion, fuse } from './fusion';
import { lexicalVector } from './lexical';

const unit = (values: number[]) => {
  const n = Math.hypot(...values);
  return Float32Array.from(values.map((v) => v / n));
};

describe('fusion', () => {
  it('averages, weights or block-concatenates, always to unit length', () => {
    const image = unit([1, 0]);
    const text = unit([0, 1]);
    expect(Array.from(fuse(image, text, { strategy: 'average', alpha: 0, beta: 0 }, 2, 2))).toEqual([Math.SQRT1_2, Math.SQRT1_2].map(Math.fround));
    const weighted = fuse(image, text, { strategy: 'weighted', alpha: 3, beta: 4 }, 2, 2);
    expect(Array.from(weighted)).toEqual([0.6, 0.8].map(Math.fround));
    expect(Array.from(fuse(image, text, { strategy: 'concat', alpha: 3, beta: 4 }, 2, 2))).toEqual([0.6, 0, 0, 0.8].map(Math.fround));
  });

  it('gives an image-only query a zero text block, so it ranks by the image block', () => {
    expect(Array.from(fuse(unit([3, 4]), null, { strategy: 'concat', alpha: 0.7, beta: 0.3 }, 2, 2))).toEqual([0.6, 0.8, 0, 0].map(Math.fround));
    expect(() => fuse(null, null, { strategy: 'concat', alpha: 1, beta: 1 }, 2, 2)).toThrow('nothing to embed');
  });

  it('refuses averaging towers that are not aligned', () => {
    expect(() => checkFusion({ strategy: 'average', alpha: 1, beta: 1 }, false, 896, 256)).toThrow(/not aligned: use concat/);
    expect(() => checkFusion({ strategy: 'weighted', alpha: 1, beta: 1 }, true, 16, 32)).toThrow(/one size/);
    expect(() => checkFusion({ strategy: 'concat', alpha: 0.7, beta: 0.3 }, false, 896, 256)).not.toThrow();
  });
});

describe('lexical text vector', () => {
  it('is deterministic, unit length, and closer for texts sharing words', () => {
    const a = lexicalVector([1258, 2184, 539, 320], 256);
    const b = lexicalVector([1258, 2184, 539, 320], 256);
    const c = lexicalVector([1258, 2184, 700, 800], 256);
    const d = lexicalVector([13258, 9, 10, 11], 256);
    expect(Array.from(a)).toEqual(Array.from(b));
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(dot(a, a)).toBeCloseTo(1, 6);
    expect(dot(a, c)).toBeGreaterThan(dot(a, d));
  });
});
