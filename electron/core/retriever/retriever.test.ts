import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import { buildIndex } from '../index';
import { syntheticVectors, writeSyntheticEmbeddings } from '../index/synthetic';
import { dotRow, exactTopK } from '../index/vectors';
import { seededRandom } from '../fixture/random';
import { inspectionAnswer, Retriever, SOFT_FILTER_LIFT, type RetrievalResult, type SearchFilters, type SoftFilters } from '.';

const DIM = 48;
const COUNT = 3_000;

let root: string;
let retriever: Retriever;
let records: CropRecord[];
let vectors: Float32Array;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'carlens-retriever-'));
  ({ records, vectors } = await writeSyntheticEmbeddings(root, { count: COUNT, dim: DIM, seed: 3 }));
  await buildIndex({ workspace: root });
  retriever = await Retriever.open(root, { model: 'synthetic-model', dim: DIM });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** What a filtered query must return, computed without the retriever: brute force over the records that pass. */
function bruteForce(query: Float32Array, k: number, pass: (r: CropRecord) => boolean): string[] {
  const rows = records.flatMap((r, i) => (pass(r) ? [i] : []));
  return exactTopK(vectors, DIM, query, k, rows).map((n) => records[n.row]!.crop_id);
}

const CASES: [SearchFilters, (r: CropRecord) => boolean][] = [
  [{ vehicle_zone: '4' }, (r) => r.vehicle_zone === '4'],
  [{ vehicle_zone: ['4', '5'] }, (r) => r.vehicle_zone === '4' || r.vehicle_zone === '5'],
  [{ has_damage: false }, (r) => !r.has_damage],
  [{ has_damage: true, damage_type: 'dent' }, (r) => r.has_damage && r.damage_types.includes('dent')],
  [
    { damage_type: ['crack', 'missing_part'], vehicle_zone: ['1', '2', '3'] },
    (r) => ['1', '2', '3'].includes(r.vehicle_zone ?? '') && r.damage_types.some((t) => t === 'crack' || t === 'missing_part'),
  ],
  [{ exclude_source_image: 'photo-10' }, (r) => r.source_image !== 'photo-10'],
];

describe('Retriever.search', () => {
  it('returns the k best among the crops that pass each filter, with their metadata', () => {
    const queries = syntheticVectors(8, DIM, 11);
    for (let q = 0; q < 8; q++) {
      const query = queries.subarray(q * DIM, (q + 1) * DIM);
      for (const [filters, pass] of CASES) {
        const passing = records.filter(pass).length;
        for (const exactSubsetMax of [undefined, 0]) {
          const results = retriever.search(query, { k: 10, filters, exactSubsetMax });
          const label = JSON.stringify(filters);
          expect(results, label).toHaveLength(Math.min(10, passing));
          expect(results.map((r) => r.crop_id), label).toEqual(bruteForce(query, 10, pass));
          for (const result of results) {
            const record = records.find((r) => r.crop_id === result.crop_id)!;
            expect(pass(record), label).toBe(true);
            expect(result).toMatchObject({
              crop_path: record.crop_path,
              source_image: record.source_image,
              bbox: record.bbox,
              zone: record.vehicle_zone,
              damage_types: record.damage_types,
              has_damage: record.has_damage,
              text_description: record.text_description,
            });
          }
          expect(results.map((r) => r.rank)).toEqual(results.map((_, i) => i + 1));
          expect(results.every((r, i) => i === 0 || r.score <= results[i - 1]!.score)).toBe(true);
        }
      }
    }
  });

  it('returns every passing crop when fewer than k pass, and nothing when none does', () => {
    const query = syntheticVectors(1, DIM, 5);
    // A narrow filter: one zone, one damage type, the whole data set holds only a few such crops.
    const narrow = records.filter((r) => r.vehicle_zone === '7' && r.damage_types.includes('crack'));
    const keepOut = narrow[0]!.source_image;
    const expected = narrow.filter((r) => r.source_image !== keepOut).map((r) => r.crop_id);
    expect(expected.length).toBeGreaterThan(0);
    const results = retriever.search(query, {
      k: expected.length + 10,
      filters: { vehicle_zone: '7', damage_type: 'crack', exclude_source_image: keepOut },
    });
    expect(results.map((r) => r.crop_id).sort()).toEqual(expected.sort());
    expect(retriever.search(query, { k: 10, filters: { vehicle_zone: '11' } })).toEqual([]);
  });

  it('finds a stored crop first for its own vector unless its photo is excluded', () => {
    const row = 123;
    const query = vectors.slice(row * DIM, (row + 1) * DIM);
    expect(retriever.search(query, { k: 1 })[0]).toMatchObject({ crop_id: records[row]!.crop_id, rank: 1 });
    const excluded = retriever.search(query, { k: 20, filters: { exclude_source_image: records[row]!.source_image } });
    expect(excluded).toHaveLength(20);
    expect(excluded.some((r) => r.source_image === records[row]!.source_image)).toBe(false);
  });
});

/** A unit query with a few non-zero values, as a text query of the offline model is. */
function sparseVector(seed: number, nonZero = 4): Float32Array {
  const random = seededRandom(seed);
  const query = new Float32Array(DIM);
  for (let i = 0; i < nonZero; i++) query[Math.floor(random() * DIM)] = random() + 0.1;
  const norm = Math.hypot(...query);
  return query.map((v) => v / norm);
}

/** The ranking the lift defines, computed without the retriever: every passing row's similarity plus its lift. */
function bruteForceLifted(query: Float32Array, k: number, pass: (r: CropRecord) => boolean, soft: SoftFilters) {
  const rows = records.flatMap((r, i) => (pass(r) ? [i] : []));
  const similarity = (row: number) => dotRow(vectors, DIM, row, query);
  const best = Math.max(0, ...rows.map(similarity));
  const checks = [
    (r: CropRecord) => r.vehicle_zone !== null && soft.vehicle_zone!.includes(r.vehicle_zone),
    (r: CropRecord) => r.damage_types.some((t) => soft.damage_type!.includes(t)),
  ];
  const key = (row: number) => similarity(row) + SOFT_FILTER_LIFT * best * (checks.filter((c) => c(records[row]!)).length / checks.length);
  return rows.sort((a, b) => key(b) - key(a) || a - b).slice(0, k).map((row) => ({ crop_id: records[row]!.crop_id, lift: key(row) - similarity(row) }));
}

describe('Retriever.search: sparse queries and proposed filters', () => {
  it('scores a sparse query exactly over the passing rows, as brute force does', () => {
    for (let q = 0; q < 6; q++) {
      const query = sparseVector(100 + q);
      for (const [filters, pass] of [[undefined, () => true] as const, ...CASES]) {
        const results = retriever.search(query, { k: 10, filters });
        expect(results.map((r) => r.crop_id), JSON.stringify(filters)).toEqual(bruteForce(query, 10, pass));
        expect(results.every((r) => r.lift === undefined)).toBe(true);
      }
    }
  });

  it('lifts crops matching the proposed filters by a share of the best similarity, leaving none out', () => {
    const soft: SoftFilters = { vehicle_zone: ['4'], damage_type: ['dent'] };
    for (const [query, kind] of [[sparseVector(7), 'sparse'], [syntheticVectors(1, DIM, 21), 'dense']] as const) {
      for (const [filters, pass] of [[undefined, () => true] as const, [{ has_damage: true }, (r: CropRecord) => r.has_damage] as const]) {
        const results = retriever.search(query, { k: 10, filters, soft });
        const expected = bruteForceLifted(query, 10, pass, soft);
        expect(results.map((r) => r.crop_id), kind).toEqual(expected.map((e) => e.crop_id));
        results.forEach((r, i) => expect(r.lift, kind).toBeCloseTo(expected[i]!.lift, 9));
        // Crops outside the proposal still compete: a soft filter is not a filter.
        const unlifted = retriever.search(query, { k: COUNT, filters, soft }).filter((r) => r.lift === 0);
        expect(unlifted.length, kind).toBeGreaterThan(0);
      }
    }
  });

  it('reranks the nearest candidates of a dense query over a large subset, full matches included', () => {
    const query = syntheticVectors(1, DIM, 33);
    const soft: SoftFilters = { vehicle_zone: ['7'], damage_type: ['crack'] };
    const results = retriever.search(query, { k: 10, soft, exactSubsetMax: 0 });
    const fullMatches = records.filter((r) => r.vehicle_zone === '7' && r.damage_types.includes('crack')).map((r) => r.crop_id);
    const expected = bruteForceLifted(query, 10, () => true, soft).map((e) => e.crop_id);
    expect(results.map((r) => r.crop_id)).toEqual(expected);
    expect(results.some((r) => fullMatches.includes(r.crop_id))).toBe(true);
  });
});

describe('inspectionAnswer', () => {
  const result = (crop_id: string, score: number, has_damage: boolean, zone: string | null, damage_types: RetrievalResult['damage_types']): RetrievalResult => ({
    rank: 0,
    score,
    crop_id,
    crop_path: `crops/${crop_id}.jpg`,
    source_image: 'p',
    source_path: '/x/p.jpg',
    bbox: { x: 0, y: 0, width: 1, height: 1 },
    zone,
    damage_types,
    text_description: null,
    has_damage,
  });

  it('weighs each neighbour by its score and names the crops behind each answer', () => {
    const answer = inspectionAnswer([
      result('a', 0.9, true, '4', ['dent']),
      result('b', 0.8, true, '4', ['dent', 'surface_scratch']),
      result('c', 0.7, false, '5', []),
      result('d', -0.2, false, null, []),
    ]);
    expect(answer.evidence).toBe(4);
    expect(answer.has_damage).toEqual({ value: true, confidence: expect.closeTo(1.7 / 2.4, 6), supporting: ['a', 'b'] });
    expect(answer.zone).toEqual({ value: '4', confidence: expect.closeTo(1.7 / 2.4, 6), supporting: ['a', 'b'] });
    expect(answer.damage_types).toEqual([
      { value: 'dent', confidence: expect.closeTo(1.7 / 2.4, 6), supporting: ['a', 'b'] },
      { value: 'surface_scratch', confidence: expect.closeTo(0.8 / 2.4, 6), supporting: ['b'] },
    ]);
  });

  it('answers nothing from no evidence', () => {
    expect(inspectionAnswer([])).toEqual({ has_damage: null, damage_types: [], zone: null, evidence: 0 });
  });
});
