import { constants } from 'node:buffer';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import { recordFilter, Retriever, type SearchFilters } from '../retriever';
import { LocalIndex } from './local-index';
import { syntheticRecordMaker, syntheticVectors, writeSyntheticIndex } from './synthetic';
import { dotRow } from './vectors';

/**
 * The store's limits, not a timing: 400k real-sized crop records, more than one JSON document of them could hold
 * (V8 caps a string at ~512 MiB; the format 1 metadata.json was ~1.6 kB a crop), written, opened, filtered and
 * searched. Tiny vectors (dim 8) keep it CI-sized.
 */
const COUNT = 400_000;
const DIM = 8;
const SEED = 23;
const FILTERS: SearchFilters[] = [
  { has_damage: true },
  { vehicle_zone: ['3', '9'], damage_type: 'dent' },
  { has_damage: false, exclude_source_image: ['photo-0', 'photo-99999'] },
];

describe(`an index of ${COUNT.toLocaleString('en')} crops`, () => {
  let workspace: string;
  let index: LocalIndex;
  /** Rows passing each of FILTERS, found by the record predicate over records made again one at a time. */
  const expectedRows = FILTERS.map(() => [] as number[]);
  const ends: CropRecord[] = [];
  let formatOneChars = 0;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'crop-scale-'));
    await writeSyntheticIndex(workspace, { count: COUNT, dim: DIM, seed: SEED });
    const make = syntheticRecordMaker(SEED);
    const predicates = FILTERS.map(recordFilter);
    for (let row = 0; row < COUNT; row++) {
      const record = make(row);
      formatOneChars += JSON.stringify(record, null, 2).length;
      predicates.forEach((passes, i) => passes(record) && expectedRows[i]!.push(row));
      if (row === 0 || row === COUNT - 1) ends.push(record);
    }
    index = await LocalIndex.open(workspace);
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it('would not fit the format 1 metadata.json in one string', () => {
    expect(formatOneChars).toBeGreaterThan(constants.MAX_STRING_LENGTH);
  });

  it('opens with every row, and reads back the rows at both ends', () => {
    expect(index.size).toBe(COUNT);
    expect(index.table.get(0)).toEqual(ends[0]);
    expect(index.table.get(COUNT - 1)).toEqual(ends[1]);
    expect(index.rowOf(ends[1]!.crop_id)).toBe(COUNT - 1);
    expect(index.rowOf('crop-400000')).toBeUndefined();
  });

  it('filters on the columns as the record predicate does', () => {
    FILTERS.forEach((filters, i) => {
      const rows = index.table.filter(filters)!;
      expect(rows.size, JSON.stringify(filters)).toBe(expectedRows[i]!.length);
      expect(Array.from(rows.rows())).toEqual(expectedRows[i]);
    });
  });

  it('searches with filters: the exact best passing rows, read back as records', () => {
    const vectors = syntheticVectors(COUNT, DIM, SEED);
    const query = syntheticVectors(COUNT + 1, DIM, SEED).subarray(COUNT * DIM);
    const retriever = Retriever.over(index);
    FILTERS.forEach((filters, i) => {
      const best = expectedRows[i]!.map((row) => ({ row, score: dotRow(vectors, DIM, row, query) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const results = retriever.search(Float32Array.from(query), { k: 10, filters });
      expect(results.map((r) => r.crop_id)).toEqual(best.map((b) => index.table.cropId(b.row)));
      for (const r of results) expect(r).toMatchObject({ has_damage: index.table.get(index.rowOf(r.crop_id)!).has_damage });
    });
  });
});
