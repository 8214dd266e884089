import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveGenerationDir } from '../workspace/generations';
import { workspacePaths } from '../workspace/workspace';
import { buildIndex, LocalIndex } from '.';
import { COLUMNS_FILE, RECORDS_FILE, writeCropTable } from './crop-table-file';
import { readFaissIndex } from './faiss';
import { RowSet } from './row-set';
import { syntheticVectors, writeSyntheticEmbeddings } from './synthetic';
import { exactTopK } from './vectors';

const DIM = 32;
const COUNT = 2_000;
const REJECTED = [3, 10, 500];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'carlens-index-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshWorkspace(name: string, count = COUNT, dim = DIM): Promise<{ ws: string; vectors: Float32Array }> {
  const ws = join(root, name);
  const rejected = REJECTED.filter((i) => i < count);
  const { vectors } = await writeSyntheticEmbeddings(ws, { count, dim, seed: 7, rejected });
  return { ws, vectors };
}

function queries(count: number, dim: number): Float32Array[] {
  const all = syntheticVectors(count, dim, 99);
  return Array.from({ length: count }, (_, i) => all.slice(i * dim, (i + 1) * dim));
}

describe('buildIndex + LocalIndex (Flat)', () => {
  it('indexes every non-rejected crop, in metadata order, and passes the self-check', async () => {
    const { ws, vectors } = await freshWorkspace('flat');
    const config = await buildIndex({ workspace: ws, expectedModel: 'synthetic-model' });
    expect(config).toMatchObject({ index_type: 'flat', count: COUNT - REJECTED.length, skipped_rejected: 3, dim: DIM });
    expect(config.self_check.passed).toBe(config.self_check.sampled);
    expect(config.self_check.min_self_score).toBeCloseTo(1, 4);

    const index = await LocalIndex.open(ws, { model: 'synthetic-model', dim: DIM });
    expect(index.size).toBe(COUNT - REJECTED.length);
    expect(index.records.some((r) => r.rejected)).toBe(false);
    // Crop 11 (original row 11) sits at row 9 after skipping rejected rows 3 and 10; its stored vector is row 11's.
    const row = index.rowOf('crop-000011')!;
    expect(row).toBe(9);
    expect(Array.from(index.vector(row))).toEqual(Array.from(vectors.subarray(11 * DIM, 12 * DIM)));
    const [top] = index.search(index.vector(row), 1);
    expect(top!.row).toBe(row);
    expect(top!.score).toBeCloseTo(1, 5);
  });

  it('unfiltered and filtered results equal a brute force over the passing rows, on both search paths', async () => {
    const ws = join(root, 'flat');
    const index = await LocalIndex.open(ws);
    const all = index.records.map((_, i) => i);
    const subsets: [string, RowSet][] = [
      ['damaged', RowSet.where(index.size, (i) => index.records[i]!.has_damage)],
      ['zone 4', RowSet.where(index.size, (i) => index.records[i]!.vehicle_zone === '4')],
      ['dent in zone 4 or 5', RowSet.where(index.size, (i) => ['4', '5'].includes(index.records[i]!.vehicle_zone ?? '') && index.records[i]!.damage_types.includes('dent'))],
    ];
    const vectors = new Float32Array(index.size * DIM);
    all.forEach((i) => vectors.set(index.vector(i), i * DIM));
    for (const q of queries(10, DIM)) {
      expect(index.search(q, 10)).toEqual(exactTopK(vectors, DIM, q, 10, null));
      for (const [name, subset] of subsets) {
        const expected = exactTopK(vectors, DIM, q, 10, subset.rows());
        expect(expected.length, name).toBe(Math.min(10, subset.size));
        // Default: small subsets go to the exact subset search; exactSubsetMax 0 forces faiss's filtered search.
        expect(index.search(q, 10, subset), name).toEqual(expected);
        expect(index.search(q, 10, subset, { exactSubsetMax: 0 }), name).toEqual(expected);
        expect(index.searchMany([q, q], 10, subset, { exactSubsetMax: 0 }), name).toEqual([expected, expected]);
      }
    }
    expect(index.search(queries(1, DIM)[0]!, 10, RowSet.none(index.size))).toEqual([]);
    expect(index.search(queries(1, DIM)[0]!, 10, RowSet.of([5, 6], index.size))).toHaveLength(2);
    expect(() => index.search(queries(1, DIM)[0]!, 10, RowSet.all(5))).toThrow(/a row set over 5 rows does not fit index generation \d+ of 1997 rows/);
  });

  it('refuses an index from another model, of another dimension, or whose files disagree', async () => {
    const ws = join(root, 'flat');
    await expect(LocalIndex.open(ws, { model: 'other-model' })).rejects.toThrow(
      /built with model synthetic-model, but queries use other-model; re-run phase 3/,
    );
    await expect(LocalIndex.open(ws, { dim: 512 })).rejects.toThrow(/has dimension 32, but queries have 512/);
    await expect(buildIndex({ workspace: ws, expectedModel: 'other-model' })).rejects.toThrow(
      /embeddings come from model synthetic-model, expected other-model/,
    );
    const index = await LocalIndex.open(ws);
    expect(() => index.search(new Float32Array(8), 5)).toThrow(/query vector has 8 values, the index has dimension 32/);

    // A generation whose metadata lost a record no longer matches its faiss index.
    const { indexDir } = workspacePaths(ws);
    const gen = (await readFile(join(indexDir, 'current'), 'utf8')).trim();
    const metadataFiles = [RECORDS_FILE, COLUMNS_FILE].map((file) => join(indexDir, gen, file));
    const original = await Promise.all(metadataFiles.map((path) => readFile(path)));
    await writeCropTable(join(indexDir, gen), index.table.withoutRow(index.size - 1));
    await expect(LocalIndex.open(ws)).rejects.toThrow(/holds 1997 vectors but .*metadata.jsonl has 1996 records/);
    await Promise.all(metadataFiles.map((path, i) => writeFile(path, original[i]!)));
  });

  it('refuses phase 3 output whose files disagree', async () => {
    const { ws } = await freshWorkspace('bad-phase3', 50);
    const metadataPath = join(liveGenerationDir(workspacePaths(ws).embeddingsDir), 'metadata.json');
    const metadata = JSON.parse(await readFile(metadataPath, 'utf8'));
    metadata.crops.pop();
    await writeFile(metadataPath, JSON.stringify(metadata));
    await expect(buildIndex({ workspace: ws })).rejects.toThrow(/embeddings.npy has 50 rows but .*metadata.json has 49 crops/);
    await expect(LocalIndex.open(ws)).rejects.toThrow(/no index in .*run `carlens index` first/);
  });

  it('ignores a generation that never became current, and prunes it on the next build', async () => {
    const { ws } = await freshWorkspace('crash', 300);
    const first = await buildIndex({ workspace: ws });
    const { indexDir } = workspacePaths(ws);
    // A build that died after writing some files of the next generation, before switching `current`.
    const orphan = join(indexDir, `gen-${first.generation + 1}`);
    await mkdir(orphan);
    await writeFile(join(orphan, 'index.faiss'), 'half written');
    const index = await LocalIndex.open(ws);
    expect(index.config.generation).toBe(first.generation);
    expect(index.size).toBe(298); // rejected crops 3 and 10 are left out

    const second = await buildIndex({ workspace: ws });
    expect(second.generation).toBe(first.generation + 2);
    expect((await readdir(indexDir)).sort()).toEqual(['current', `gen-${second.generation}`]);
  });

  it('concurrent builds never share a generation folder, and current always names a whole, live generation', async () => {
    const { ws } = await freshWorkspace('concurrent', 300);
    const { indexDir } = workspacePaths(ws);
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => buildIndex({ workspace: ws })));
      const built = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.generation] : []));
      // The workspace lock lets one build through and refuses the others at once, naming it; should two writers
      // still meet (a lock lost to a blocked event loop), each has a folder of its own and the older one fails.
      expect(built.length).toBeGreaterThanOrEqual(1);
      expect(new Set(built).size).toBe(built.length);
      for (const o of outcomes) {
        if (o.status === 'rejected') {
          expect(String(o.reason)).toMatch(/is being written by this process, pid \d+ \(phase 4 \(index\)|went live while generation \d+ was being written; nothing was changed/);
        }
      }
      const index = await LocalIndex.open(ws);
      expect(index.size).toBe(298);
      expect(index.config.generation).toBe(Math.max(...built));
      // Nothing older than the live generation is left behind.
      const folders = (await readdir(indexDir)).filter((n) => n.startsWith('gen-')).map((n) => Number(n.slice(4)));
      expect(folders.every((g) => g >= index.config.generation)).toBe(true);
    }
  });
});

describe('review edits', () => {
  it('updateCrop replaces one vector and record as a new generation, and search follows', async () => {
    const { ws } = await freshWorkspace('update', 400);
    await buildIndex({ workspace: ws });
    const index = await LocalIndex.open(ws);
    const target = 'crop-000042';
    const donor = index.vector(index.rowOf('crop-000300')!);
    expect(index.search(donor, 1)[0]!.row).toBe(index.rowOf('crop-000300'));

    const before = index.config.generation;
    const config = await index.updateCrop(target, donor, { text_description: 'edited', context_edited: true });
    expect(config.generation).toBe(before + 1);
    expect(config.source).toBe('update');
    // Crop 42 now holds crop 300's vector: the two tie, and the lower row (42) ranks first.
    const hits = index.search(donor, 2);
    expect(hits.map((h) => index.records[h.row]!.crop_id)).toEqual([target, 'crop-000300']);

    const reopened = await LocalIndex.open(ws);
    expect(reopened.config.generation).toBe(before + 1);
    expect(Array.from(reopened.vector(reopened.rowOf(target)!))).toEqual(Array.from(donor));
    expect(reopened.records[reopened.rowOf(target)!]).toMatchObject({ text_description: 'edited', context_edited: true });
    await expect(index.updateCrop(target, new Float32Array(DIM))).rejects.toThrow(/norm is 0, expected a unit vector/);
    await expect(index.updateCrop('nope', donor)).rejects.toThrow(/crop nope is not in the index/);
  });

  it('rejectCrop removes the crop from the index and from search results', async () => {
    const { ws } = await freshWorkspace('reject', 400);
    await buildIndex({ workspace: ws });
    const index = await LocalIndex.open(ws);
    const target = 'crop-000123';
    const vector = index.vector(index.rowOf(target)!);
    expect(index.records[index.search(vector, 1)[0]!.row]!.crop_id).toBe(target);

    const config = await index.rejectCrop(target);
    expect(config).toMatchObject({ count: 397, skipped_rejected: 3, source: 'reject' });
    expect(index.rowOf(target)).toBeUndefined();
    const reopened = await LocalIndex.open(ws);
    expect(reopened.size).toBe(397);
    expect(reopened.search(vector, 397).map((h) => reopened.records[h.row]!.crop_id)).not.toContain(target);
    // Rows after the removed one moved up by one and still carry their own vectors.
    const next = reopened.rowOf('crop-000124')!;
    expect(reopened.search(reopened.vector(next), 1)[0]!.row).toBe(next);
  });
});

describe.each([
  { annType: 'hnsw' as const, faiss: { description: 'HNSW32,Flat', hnsw: { m: 32, ef_construction: 200, ef_search: 64 }, ivf: null }, stored: { kind: 'hnsw', efConstruction: 200, efSearch: 64 } },
  { annType: 'ivf' as const, faiss: { description: 'IVF141,Flat', hnsw: null, ivf: { nlist: 141, nprobe: 16, train_rows: 4_997 } }, stored: { kind: 'ivf', nlist: 141, nprobe: 16 } },
])('$annType above the flat threshold', ({ annType, faiss, stored }) => {
  const dim = 64;
  it('records its factory and parameters, which the index file keeps, and opens without reading vectors.npy', { timeout: 60_000 }, async () => {
    const { ws, vectors: written } = await freshWorkspace(`ann-${annType}`, 5_000, dim);
    const config = await buildIndex({ workspace: ws, flatThreshold: 1_000, annType });
    expect(config.index_type).toBe(annType);
    expect(config.faiss).toMatchObject(faiss);
    const dir = join(workspacePaths(ws).indexDir, `gen-${config.generation}`);
    expect(readFaissIndex(join(dir, 'index.faiss')).parameters()).toMatchObject(stored);

    // The index holds the vectors: without vectors.npy the generation still opens, and hands out the same vectors.
    await unlink(join(dir, 'vectors.npy'));
    const index = await LocalIndex.open(ws);
    const kept = Array.from({ length: 5_000 }, (_, i) => i).filter((i) => !REJECTED.includes(i));
    const expected = new Float32Array(kept.length * dim);
    kept.forEach((row, i) => expected.set(written.subarray(row * dim, (row + 1) * dim), i * dim));
    expect(Array.from(index.vector(9))).toEqual(Array.from(expected.subarray(9 * dim, 10 * dim)));
    expect(index.vectors).toEqual(expected);
  });

  it('reaches recall@10 ≥ 0.9 against exact search on 5k × 64, and filtered answers pass, fill k and score alike on every path', async () => {
    const index = await LocalIndex.open(join(root, `ann-${annType}`));
    const { vectors } = index;
    let found = 0;
    const qs = queries(100, dim);
    for (const q of qs) {
      const exact = new Set(exactTopK(vectors, dim, q, 10, null).map((n) => n.row));
      found += index.search(q, 10).filter((n) => exact.has(n.row)).length;
    }
    expect(found / (10 * qs.length)).toBeGreaterThanOrEqual(0.9);

    const damaged = RowSet.where(index.size, (i) => index.records[i]!.has_damage);
    // ~1 % of rows: the selector alone rarely fills k, so the search widens, then scores the subset exactly.
    const rare = RowSet.where(index.size, (i) => i % 97 === 0);
    for (const q of qs.slice(0, 10)) {
      for (const subset of [damaged, rare]) {
        const ann = index.search(q, 10, subset, { exactSubsetMax: 0 });
        expect(ann).toHaveLength(10);
        expect(ann.every((h) => subset.has(h.row))).toBe(true);
        const exact = index.search(q, 10, subset);
        expect(exact).toEqual(index.searchMany([q], 10, subset)[0]);
        const exactScore = new Map(exact.map((h) => [h.row, h.score]));
        for (const h of ann) if (exactScore.has(h.row)) expect(h.score).toBe(exactScore.get(h.row));
      }
    }
  });
});

describe('config.json', () => {
  it('still reads a config written before IVF existed (no faiss.ivf)', async () => {
    const ws = join(root, 'flat');
    const { indexDir } = workspacePaths(ws);
    const configPath = join(indexDir, (await readFile(join(indexDir, 'current'), 'utf8')).trim(), 'config.json');
    const original = await readFile(configPath, 'utf8');
    const config = JSON.parse(original);
    delete config.faiss.ivf;
    config.faiss.description = 'IndexFlatIP';
    await writeFile(configPath, JSON.stringify(config));
    try {
      const index = await LocalIndex.open(ws);
      expect(index.config.faiss).toMatchObject({ description: 'IndexFlatIP', ivf: null });
    } finally {
      await writeFile(configPath, original);
    }
  });
});
