import { describe, expect, it } from 'vitest';
import type { DamageType } from '../domain/damage-types';
import { seededRandom } from '../fixture/random';
import { heldOutAlignment } from './evaluate';
import { fitTextImageMap, mapText, type AlignmentRecord } from './map';
import { alignmentParts } from './partition';
import { ridgeMoments, solveRidge } from './ridge';

const TYPES: DamageType[] = ['dent', 'crack', 'surface_scratch', 'missing_part'];
const IMAGE_DIM = 24;
const TEXT_DIM = 12;

/**
 * Crops whose pixels carry their damage type (a prototype per type plus noise) and whose context names it (one
 * text dimension per type, one per zone): 240 photos of one source, two crops each, a third of them clean.
 */
function syntheticCrops(seed = 3) {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const prototypes = Array.from({ length: TYPES.length + 1 }, () => Array.from({ length: IMAGE_DIM }, gaussian));
  const records: AlignmentRecord[] = [];
  const image: number[] = [];
  const text: number[] = [];
  for (let photo = 0; photo < 240; photo++) {
    for (let c = 0; c < 2; c++) {
      const kind = Math.floor(random() * (TYPES.length + 2)); // ≥ TYPES.length: clean
      const type = kind < TYPES.length ? TYPES[kind]! : null;
      const zone = String(1 + Math.floor(random() * 4));
      records.push({ crop_id: `flickr__${photo}_c${c}`, source_image: `flickr__${photo}`, source_path: `/data/flickr/${photo}.jpg`, has_damage: type !== null, damage_types: type ? [type] : [], vehicle_zone: zone });
      const proto = prototypes[type ? kind : TYPES.length]!;
      const pixels = proto.map((v) => v + 0.8 * gaussian());
      const norm = Math.hypot(...pixels);
      image.push(...pixels.map((v) => v / norm));
      const words = new Array<number>(TEXT_DIM).fill(0);
      words[type ? kind : TYPES.length] = 1;
      words[TYPES.length + 1 + Number(zone)] = 1;
      text.push(...words.map((v) => v / Math.SQRT2));
    }
  }
  const rows = records.length;
  return { records, image: { data: Float32Array.from(image), rows, cols: IMAGE_DIM }, text: { data: Float32Array.from(text), rows, cols: TEXT_DIM } };
}

describe('ridge regression', () => {
  it('recovers an exact linear map with its intercept when λ is tiny', () => {
    const random = seededRandom(1);
    const [n, p, q] = [60, 4, 3];
    const w = Array.from({ length: p * q }, () => random() - 0.5);
    const b = [0.3, -0.2, 0.1];
    const x = Float32Array.from({ length: n * p }, () => random());
    const y = new Float32Array(n * q);
    for (let r = 0; r < n; r++) for (let j = 0; j < q; j++) y[r * q + j] = b[j]! + Array.from({ length: p }, (_, i) => x[r * p + i]! * w[i * q + j]!).reduce((a, v) => a + v, 0);
    const rows = Array.from({ length: n }, (_, i) => i);
    const fit = solveRidge(ridgeMoments({ data: x, rows: n, cols: p }, { data: y, rows: n, cols: q }, rows), 1e-9);
    fit.weights.forEach((v, i) => expect(v).toBeCloseTo(w[i]!, 3));
  });

  it('refuses λ ≤ 0 and an empty fit', () => {
    const m = { data: new Float32Array(4), rows: 2, cols: 2 };
    expect(() => ridgeMoments(m, m, [])).toThrow(/no rows/);
    expect(() => solveRidge(ridgeMoments(m, m, [0, 1]), 0)).toThrow(/λ must be > 0/);
  });
});

describe('fitTextImageMap', () => {
  const { records, image, text } = syntheticCrops();

  it('fits on training claims only: no held-out crop id is fitted on', () => {
    const fit = fitTextImageMap(records, image, text);
    const parts = alignmentParts(records);
    const heldOut = new Set(records.filter((_, i) => parts[i] === 'heldout').map((r) => r.crop_id));
    expect(heldOut.size).toBeGreaterThan(50);
    expect(fit.fittedOn.length).toBeGreaterThan(200);
    expect(fit.fittedOn.filter((id) => heldOut.has(id))).toEqual([]);
    expect(fit.parts.heldout).toBe(heldOut.size);
    // λ and the offset were chosen on validation claims, every candidate scored.
    expect(fit.selection!.length).toBe(10);
  });

  it('is deterministic: the same crops give the same map, bit for bit', () => {
    const a = fitTextImageMap(records, image, text).map;
    const b = fitTextImageMap([...records], { ...image, data: Float32Array.from(image.data) }, { ...text, data: Float32Array.from(text.data) }).map;
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect(Buffer.from(a.offset.buffer).equals(Buffer.from(b.offset.buffer))).toBe(true);
    expect([a.lambda, a.offsetMode]).toEqual([b.lambda, b.offsetMode]);
  });

  it('ranks held-out crops by their pixels from a text query, well above the class prior', () => {
    const { map } = fitTextImageMap(records, image, text);
    const figures = heldOutAlignment({ records, image, text, map, phrases: [], blend: { alpha: 0.7, beta: 0.3, pixelWeight: 0.25 } });
    const all = figures.ownContexts.find((f) => f.source === 'all')!;
    expect(all.damage_type.precision!).toBeGreaterThan(3 * all.damage_type.prior!);
    expect(all.has_damage.precision!).toBeGreaterThan(all.has_damage.prior!);
    // Zones are in the words but not in the pixels: pixels cannot find them.
    expect(all.zone.precision!).toBeLessThan(all.zone.prior! + 0.15);
  });

  it('gives no vector for a text with no known word, and names a size mismatch', () => {
    const { map } = fitTextImageMap(records, image, text);
    expect(mapText(map, new Float32Array(TEXT_DIM))).toBeNull();
    expect(() => mapText(map, new Float32Array(TEXT_DIM + 1))).toThrow(/13 values, the map expects 12/);
  });
});
