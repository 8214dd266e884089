/**
 * What scripts/native/faiss-node.patch adds to faiss-node's binding (setup compiles it; the npm package's own
 * declarations describe the unpatched one). Only `Index` (fromFactory / read) carries the new methods.
 */
import 'faiss-node';

declare module 'faiss-node' {
  /** Rows of a search: k per query, best first; label -1 where fewer than k were found. */
  interface TypedSearchResult {
    distances: Float32Array;
    /** float64 so that any row number is exact. */
    labels: Float64Array;
  }

  interface SearchParams {
    /** HNSW only: candidates kept during the search (faiss SearchParametersHNSW). */
    efSearch?: number;
    /** IVF only: inverted lists visited (faiss SearchParametersIVF). */
    nprobe?: number;
    /** Rows allowed to answer, as an IDSelectorBitmap: row r when bit (r & 7) of byte (r >> 3) is 1. */
    allowed?: Uint8Array;
  }

  type IndexParameters =
    | { kind: 'hnsw'; metric: MetricType; m: number; efConstruction: number; efSearch: number }
    | { kind: 'ivf'; metric: MetricType; nlist: number; nprobe: number }
    | { kind: 'flat' | 'other'; metric: MetricType };

  interface Index {
    /** Float32Arrays are read in place (no copy); plain arrays are copied as before. */
    add(x: Float32Array | number[]): void;
    train(x: Float32Array | number[]): void;
    search(x: Float32Array | number[], k: number, params?: SearchParams): TypedSearchResult;
    /** The exact k best of `rows` for each query, best first, ties by lower row. */
    searchSubset(x: Float32Array | number[], k: number, rows: Int32Array): TypedSearchResult;
    setEfConstruction(value: number): void;
    setEfSearch(value: number): void;
    setNprobe(value: number): void;
    parameters(): IndexParameters;
    /** Rows [start, start + n) as stored (decoded for compressed storages), row-major. */
    reconstructRange(start: number, n: number): Float32Array;
  }
}
