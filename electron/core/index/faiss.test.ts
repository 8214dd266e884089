import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaissIndex, faissSearchMany, faissSubsetSearch, planIndex, readFaissIndex, writeFaissIndex } from './faiss';
import { RowSet } from './row-set';
import { syntheticVectors } from './synthetic';
import { exactTopK } from './vectors';

const DIM = 16;
const vectors = syntheticVectors(600, DIM, 7);
const queries = syntheticVectors(25, DIM, 8);
const query = (q: number) => queries.subarray(q * DIM, (q + 1) * DIM);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-faiss-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the patched faiss-node binding', () => {
  const flat = createFaissIndex('flat', vectors, DIM);

  it('reads a Float32Array in place, from a view at any offset, and still takes a plain array', () => {
    // A view into the middle of a larger buffer: the binding must start at its byteOffset.
    const padded = new Float32Array(DIM * 3 + vectors.length);
    padded.set(vectors, DIM * 3);
    const fromView = createFaissIndex('flat', padded.subarray(DIM * 3), DIM);
    expect(fromView.ntotal()).toBe(600);
    expect(fromView.reconstructRange(0, 600)).toEqual(vectors);
    const plain = flat.search(Array.from(query(3)), 4);
    expect(flat.search(query(3), 4)).toEqual(plain);
    expect(() => flat.search(query(3).subarray(1), 4)).toThrow(/Invalid the given array length/);
    expect(() => flat.search(new Int32Array(DIM) as unknown as Float32Array, 4)).toThrow(/must be an Array or a Float32Array/);
  });

  it('answers a batch as an exact scan does, and keeps to the allowed rows of a bitmap', () => {
    const allowed = RowSet.where(600, (row) => row % 7 === 2);
    const found = faissSearchMany(flat, queries, 6, { allowed });
    const unfiltered = faissSearchMany(flat, queries, 6);
    found.forEach((hits, q) => {
      const expected = exactTopK(vectors, DIM, query(q), 6, allowed.rows());
      expect(hits.map((h) => h.row)).toEqual(expected.map((h) => h.row));
      hits.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 5));
      expect(unfiltered[q]!.map((h) => h.row)).toEqual(exactTopK(vectors, DIM, query(q), 6, null).map((h) => h.row));
    });
    // k is clamped to the index, and to the rows allowed.
    expect(faissSearchMany(flat, queries, 1000).every((hits) => hits.length === 600)).toBe(true);
    expect(faissSearchMany(flat, query(0), 10, { allowed: RowSet.of([4, 9], 600) })[0]!.map((h) => h.row).sort()).toEqual([4, 9]);
  });

  it('searches a list of rows exactly, best first, with ties going to the lower row', () => {
    const rows = Int32Array.from({ length: 600 }, (_, i) => i).filter((i) => i % 3 === 0);
    for (const index of [flat, createFaissIndex('hnsw', vectors, DIM), createFaissIndex({ ...planIndex('ivf', 600), ivf: { nlist: 8, nprobe: 1, trainRows: 600 }, factory: 'IVF8,Flat' }, vectors, DIM)]) {
      const [hits] = faissSubsetSearch(index, query(5), 10, rows);
      const expected = exactTopK(vectors, DIM, query(5), 10, rows);
      expect(hits!.map((h) => h.row)).toEqual(expected.map((h) => h.row));
    }
    // Row 10 and row 20 hold the same vector: the lower row comes first.
    const twins = vectors.slice();
    twins.copyWithin(20 * DIM, 10 * DIM, 11 * DIM);
    const twinIndex = createFaissIndex('hnsw', twins, DIM);
    const [top] = faissSubsetSearch(twinIndex, twins.subarray(10 * DIM, 11 * DIM), 2, Int32Array.of(20, 3, 10));
    expect(top!.map((h) => h.row)).toEqual([10, 20]);
    expect(top![0]!.score).toBe(top![1]!.score);
    expect(() => faissSubsetSearch(flat, query(0), 3, Int32Array.of(1, 600))).toThrow(/row 600 is outside the index \(600 vectors\)/);
  });

  it('sets HNSW and IVF parameters on the right index type only, and refuses them on another', () => {
    const hnsw = createFaissIndex('hnsw', vectors, DIM);
    expect(hnsw.parameters()).toEqual({ kind: 'hnsw', metric: 0, m: 32, efConstruction: 200, efSearch: 64 });
    hnsw.setEfSearch(128);
    expect(hnsw.parameters()).toMatchObject({ efSearch: 128 });
    expect(() => hnsw.setNprobe(4)).toThrow(/nprobe applies to IVF indexes only/);
    expect(() => flat.setEfSearch(4)).toThrow(/efSearch applies to HNSW indexes only/);
    expect(() => hnsw.setEfSearch(0)).toThrow(/efSearch must be a positive integer/);
    expect(() => flat.search(query(0), 3, { nprobe: 3 })).toThrow(/nprobe applies to IVF indexes only/);
    expect(() => flat.search(query(0), 3, { allowed: new Int8Array(75) as unknown as Uint8Array })).toThrow(/allowed must be a Uint8Array bitmap/);
  });
});

describe('index files through faiss I/O', () => {
  it('writes atomically and reads back the same index with its search parameters', async () => {
    const plan = { ...planIndex('ivf', 600), factory: 'IVF8,Flat', ivf: { nlist: 8, nprobe: 3, trainRows: 600 } };
    const ivf = createFaissIndex(plan, vectors, DIM);
    const path = join(dir, 'index.faiss');
    await writeFaissIndex(ivf, path);
    expect(await readdir(dir)).toEqual(['index.faiss']);
    const read = readFaissIndex(path);
    expect(read.parameters()).toEqual({ kind: 'ivf', metric: 0, nlist: 8, nprobe: 3 });
    expect(read.search(queries, 5)).toEqual(ivf.search(queries, 5));
    expect(read.reconstructRange(100, 2)).toEqual(vectors.slice(100 * DIM, 102 * DIM));
  });

  it('names the file it cannot read or write, and leaves no temp file behind', async () => {
    const bad = join(dir, 'not-an-index.faiss');
    await writeFile(bad, 'half written');
    expect(() => readFaissIndex(bad)).toThrow(new RegExp(`^${bad}: not a readable faiss index`));
    expect(() => readFaissIndex(join(dir, 'missing.faiss'))).toThrow(/missing.faiss: not a readable faiss index/);
    const blocked = join(dir, 'not-an-index.faiss', 'index.faiss');
    await expect(writeFaissIndex(createFaissIndex('flat', vectors, DIM), blocked)).rejects.toThrow(new RegExp(`^${blocked}: not written`));
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
