import { createRequire } from 'node:module';
import type * as FaissNode from 'faiss-node';

// faiss-node is a CommonJS N-API addon; createRequire loads it the same way under tsx, Vitest and Electron.
const faiss = createRequire(import.meta.url)('faiss-node') as typeof FaissNode;

export type FaissIndex = FaissNode.Index;
export type IndexType = 'flat' | 'hnsw';

/** HNSW with M = 32 over uncompressed vectors, with domain.md's efConstruction and efSearch. */
export const HNSW_FACTORY = 'HNSW32,Flat';
export const HNSW_M = 32;
export const HNSW_EF_CONSTRUCTION = 200;
export const HNSW_EF_SEARCH = 64;

interface HnswFields {
  efConstruction: number;
  efSearch: number;
  /** Byte offset of efConstruction in the serialised index; efSearch follows it. */
  offset: number;
}

/**
 * Finds efConstruction/efSearch in a serialised IndexHNSWFlat (faiss write_index layout: "IHNf", index
 * header, then HNSW's vectors assign_probas, cum_nneighbor_per_level, levels, offsets, neighbors, each a
 * uint64 count plus items, then entry_point, max_level, efConstruction, efSearch, upper_beam as int32).
 */
function hnswFields(buffer: Buffer): HnswFields {
  if (buffer.toString('latin1', 0, 4) !== 'IHNf') throw new Error('not a serialised IndexHNSWFlat');
  let at = 4 + 4 + 8 + 8 + 8 + 1; // fourcc, d, ntotal, two dummies, is_trained
  const metric = buffer.readInt32LE(at);
  at += 4 + (metric > 1 ? 4 : 0);
  for (const itemBytes of [8, 4, 4, 8, 4]) at += 8 + Number(buffer.readBigUInt64LE(at)) * itemBytes;
  at += 8; // entry_point, max_level
  return { efConstruction: buffer.readInt32LE(at), efSearch: buffer.readInt32LE(at + 4), offset: at };
}

/**
 * faiss-node exposes no way to set efConstruction or efSearch (no ParameterSpace; the factory string only
 * takes M, and a larger k does not widen the search, which stops after efSearch candidates). Both are
 * stored in the serialised index, so an empty index is serialised, the two fields are rewritten, and the
 * index is read back before any vector is added. The faiss defaults (40, 16) are checked first so that a
 * different faiss layout fails loudly instead of corrupting the index.
 */
function emptyHnsw(dim: number): FaissIndex {
  const buffer = Buffer.from(
    faiss.Index.fromFactory(dim, HNSW_FACTORY, faiss.MetricType.METRIC_INNER_PRODUCT).toBuffer(),
  );
  const fields = hnswFields(buffer);
  if (fields.efConstruction !== 40 || fields.efSearch !== 16) {
    throw new Error(`unexpected faiss HNSW layout (efConstruction ${fields.efConstruction}, efSearch ${fields.efSearch})`);
  }
  buffer.writeInt32LE(HNSW_EF_CONSTRUCTION, fields.offset);
  buffer.writeInt32LE(HNSW_EF_SEARCH, fields.offset + 4);
  return faiss.Index.fromBuffer(buffer);
}

/** efConstruction and efSearch as an HNSW index really has them (read from its serialised form). */
export function hnswParams(index: FaissIndex): { efConstruction: number; efSearch: number } {
  const { efConstruction, efSearch } = hnswFields(index.toBuffer());
  return { efConstruction, efSearch };
}

/** faiss-node copies its input from a JS array; batches keep that transient array small at 100k × 512. */
const ADD_BATCH_VALUES = 1 << 22;

export function createFaissIndex(type: IndexType, vectors: Float32Array, dim: number): FaissIndex {
  const index =
    type === 'flat'
      ? new faiss.IndexFlatIP(dim)
      : emptyHnsw(dim);
  const rowsPerBatch = Math.max(1, Math.floor(ADD_BATCH_VALUES / dim));
  const rows = vectors.length / dim;
  for (let start = 0; start < rows; start += rowsPerBatch) {
    const end = Math.min(rows, start + rowsPerBatch);
    index.add(Array.from(vectors.subarray(start * dim, end * dim)));
  }
  return index;
}

export function faissToBuffer(index: FaissIndex): Buffer {
  return index.toBuffer();
}

export function faissFromBuffer(buffer: Buffer): FaissIndex {
  return faiss.Index.fromBuffer(buffer);
}

export interface Neighbour {
  row: number;
  score: number;
}

/** Top-k by inner product; k is clamped to the index size (faiss-node refuses k > ntotal). */
export function faissSearch(index: FaissIndex, query: Float32Array, k: number): Neighbour[] {
  return faissSearchMany(index, query, k)[0] ?? [];
}

/** Queries per faiss call: bounds the transient JS array faiss-node copies the queries from. */
const SEARCH_BATCH_VALUES = 1 << 21;

/** Top-k of each row of `queries` (row-major, the index's dimension), searched in batches; k clamped as above. */
export function faissSearchMany(index: FaissIndex, queries: Float32Array, k: number, batchValues = SEARCH_BATCH_VALUES): Neighbour[][] {
  const dim = index.getDimension();
  const count = queries.length / dim;
  const n = Math.min(k, index.ntotal());
  if (n <= 0) return Array.from({ length: count }, () => []);
  const out: Neighbour[][] = [];
  const perBatch = Math.max(1, Math.floor(batchValues / dim));
  for (let start = 0; start < count; start += perBatch) {
    const end = Math.min(count, start + perBatch);
    const { labels, distances } = index.search(Array.from(queries.subarray(start * dim, end * dim)), n);
    for (let q = 0; q < end - start; q++) {
      const hits: Neighbour[] = [];
      for (let i = q * n; i < (q + 1) * n; i++) {
        // HNSW pads with -1 when its beam reached fewer than k vectors.
        if (labels[i]! >= 0) hits.push({ row: labels[i]!, score: distances[i]! });
      }
      out.push(hits);
    }
  }
  return out;
}
