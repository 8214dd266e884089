import { createRequire } from 'node:module';
import type * as FaissNode from 'faiss-node';
import { writeFileAtomicVia } from '../workspace/atomic-write';
import type { RowSet } from './row-set';

// faiss-node is a CommonJS N-API addon; createRequire loads it the same way under tsx, Vitest and Electron. Setup
// compiles it with scripts/native/faiss-node.patch (Float32Array input, filters, subset search; faiss-node.d.ts).
const faiss = createRequire(import.meta.url)('faiss-node') as typeof FaissNode;

export type FaissIndex = FaissNode.Index;
export type IndexType = 'flat' | 'hnsw' | 'ivf';

/** How an index is made and searched; config.json records it, and the index file itself carries the parameters. */
export interface FaissPlan {
  type: IndexType;
  /** faiss index_factory string. */
  factory: string;
  hnsw: { m: number; efConstruction: number; efSearch: number } | null;
  /** trainRows: how many vectors (an even spread) train the coarse quantizer. */
  ivf: { nlist: number; nprobe: number; trainRows: number } | null;
}

/** HNSW over uncompressed vectors: the graph's neighbours per node, and domain.md's construction / search beams. */
export const HNSW_M = 32;
export const HNSW_EF_CONSTRUCTION = 200;
export const HNSW_EF_SEARCH = 64;
/** IVF training: faiss wants ≥ 39 points per list; more only slows k-means. */
const IVF_TRAIN_PER_LIST = 50;

/**
 * IVF lists: about 2·√n (faiss suggests 4–16·√n for speed at scale; fewer lists keep k-means and the assignment of
 * every vector cheap on two cores: 7 s to build 100k × 704 here). nprobe: at least 16 lists, and 1/128 of them at
 * scale; in bench/index.ts 10 of 632 lists already gave recall@10 0.999 at 100k × 704, while a small index of short
 * vectors needs a larger share (5k × 64: 16 of 141 lists for 0.92).
 */
export function ivfLists(rows: number): { nlist: number; nprobe: number } {
  const nlist = Math.max(1, Math.min(65_536, Math.round(2 * Math.sqrt(rows))));
  return { nlist, nprobe: Math.min(nlist, Math.max(16, Math.ceil(nlist / 128))) };
}

/** The factory and parameters for an index type over `rows` vectors. */
export function planIndex(type: IndexType, rows: number): FaissPlan {
  if (type === 'flat') return { type, factory: 'Flat', hnsw: null, ivf: null };
  if (type === 'hnsw') {
    return { type, factory: `HNSW${HNSW_M},Flat`, hnsw: { m: HNSW_M, efConstruction: HNSW_EF_CONSTRUCTION, efSearch: HNSW_EF_SEARCH }, ivf: null };
  }
  const { nlist, nprobe } = ivfLists(rows);
  return { type, factory: `IVF${nlist},Flat`, hnsw: null, ivf: { nlist, nprobe, trainRows: Math.min(rows, nlist * IVF_TRAIN_PER_LIST) } };
}

/** An even spread of `count` rows of a row-major matrix, copied into one block (IVF training input). */
function sampleRows(vectors: Float32Array, dim: number, count: number): Float32Array {
  const rows = vectors.length / dim;
  if (count >= rows) return vectors;
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const row = Math.floor((i * rows) / count);
    out.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim);
  }
  return out;
}

/**
 * An inner-product index over `vectors` (row i gets label i). The vectors go to faiss as they are (a Float32Array is
 * read in place by the patched binding), with its parameters set on the index before anything is added.
 */
export function createFaissIndex(planOrType: FaissPlan | IndexType, vectors: Float32Array, dim: number): FaissIndex {
  const rows = vectors.length / dim;
  const plan = typeof planOrType === 'string' ? planIndex(planOrType, rows) : planOrType;
  const index = faiss.Index.fromFactory(dim, plan.factory, faiss.MetricType.METRIC_INNER_PRODUCT);
  if (plan.hnsw) {
    index.setEfConstruction(plan.hnsw.efConstruction);
    index.setEfSearch(plan.hnsw.efSearch);
  }
  if (plan.ivf) {
    if (rows < plan.ivf.nlist) throw new Error(`an IVF index of ${plan.ivf.nlist} lists needs at least as many vectors, got ${rows}`);
    index.train(sampleRows(vectors, dim, plan.ivf.trainRows));
    index.setNprobe(plan.ivf.nprobe);
  }
  if (rows > 0) index.add(vectors);
  return index;
}

/** Reads an index file through faiss's own I/O (no Node buffer, so no 2 GiB limit). */
export function readFaissIndex(path: string): FaissIndex {
  try {
    return faiss.Index.read(path);
  } catch (error) {
    throw new Error(`${path}: not a readable faiss index (${(error as Error).message})`, { cause: error });
  }
}

/** Writes an index file through faiss's own I/O, atomically (temp file, fsync, rename, folder fsync). */
export async function writeFaissIndex(index: FaissIndex, path: string): Promise<void> {
  await writeFileAtomicVia(path, (temp) => index.write(temp));
}

export interface Neighbour {
  row: number;
  score: number;
}

export interface FaissSearchOptions {
  /** Only these rows may answer (faiss IDSelectorBitmap). */
  allowed?: RowSet | null;
  /** HNSW: candidates kept during the search; defaults to the index's own. */
  efSearch?: number;
  /** IVF: lists visited; defaults to the index's own. */
  nprobe?: number;
}

/** Top-k by inner product; k is clamped to the index size (faiss-node refuses k > ntotal). */
export function faissSearch(index: FaissIndex, query: Float32Array, k: number, options: FaissSearchOptions = {}): Neighbour[] {
  return faissSearchMany(index, query, k, options)[0] ?? [];
}

/** Top-k of each row of `queries` (row-major, the index's dimension), in one faiss call; k clamped as above. */
export function faissSearchMany(index: FaissIndex, queries: Float32Array, k: number, options: FaissSearchOptions = {}): Neighbour[][] {
  const count = queries.length / index.getDimension();
  const n = Math.min(k, index.ntotal(), options.allowed?.size ?? Infinity);
  if (n <= 0 || count === 0) return Array.from({ length: count }, () => []);
  const params: FaissNode.SearchParams = {};
  if (options.allowed) params.allowed = options.allowed.bits;
  if (options.efSearch !== undefined) params.efSearch = options.efSearch;
  if (options.nprobe !== undefined) params.nprobe = options.nprobe;
  const { labels, distances } = index.search(queries, n, params);
  return collect(labels, distances, count, n);
}

/** The exact top-k among `rows` for each query (faiss's distance computer over those rows alone), best first. */
export function faissSubsetSearch(index: FaissIndex, queries: Float32Array, k: number, rows: Int32Array): Neighbour[][] {
  const count = queries.length / index.getDimension();
  const n = Math.min(k, rows.length);
  if (n <= 0 || count === 0) return Array.from({ length: count }, () => []);
  const { labels, distances } = index.searchSubset(queries, n, rows);
  return collect(labels, distances, count, n);
}

function collect(labels: Float64Array, distances: Float32Array, count: number, k: number): Neighbour[][] {
  const out: Neighbour[][] = [];
  for (let q = 0; q < count; q++) {
    const hits: Neighbour[] = [];
    for (let i = q * k; i < (q + 1) * k; i++) {
      // faiss pads with -1 when fewer than k were found (an HNSW beam, an IVF probe, a selector).
      if (labels[i]! >= 0) hits.push({ row: labels[i]!, score: distances[i]! });
    }
    out.push(hits);
  }
  return out;
}
