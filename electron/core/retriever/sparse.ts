/** The non-zero entries of a query vector. */
export interface SparseQuery {
  index: Int32Array;
  value: Float64Array;
}

/**
 * The query's non-zero entries when at most 1/8 of its values are non-zero, else null. A text query of the offline
 * model is a handful of lexicon and context terms in the text block, the image block all zeros: scoring its
 * few dimensions over every row is exact and far cheaper than a dense pass (or an ANN index built for the fused,
 * image-dominated vectors).
 */
export function sparseQuery(query: Float32Array): SparseQuery | null {
  const index: number[] = [];
  for (let i = 0; i < query.length; i++) {
    if (query[i] !== 0) {
      index.push(i);
      if (index.length * 8 > query.length) return null;
    }
  }
  return { index: Int32Array.from(index), value: Float64Array.from(index, (i) => query[i]!) };
}

/** The rows whose value in one column is not zero, with their values. */
interface Posting {
  rows: Int32Array;
  values: Float32Array;
}

/** A sparse query's inner products: `scores[row]` for every row, non-zero only for the `touched` rows. */
export interface SparseScores {
  scores: Float64Array;
  /** Rows with a non-zero value in a column of the query, each once. */
  touched: Int32Array;
}

/**
 * Inner products of a sparse query with every row of a row-major matrix, through per-column postings lists built
 * on first use and kept: a text query names a handful of columns, each holding a value for only the crops whose
 * contexts have that term. Reading a column straight from the matrix would touch one memory page per row
 * (≈ 4 ms per column at 100k rows); its postings list is read in order.
 */
export class ColumnPostings {
  private readonly columns = new Map<number, Posting>();
  private readonly rowCount: number;
  /** Reused by every query (100k rows: 1.3 MB that would otherwise be garbage after each one). */
  private readonly scores: Float64Array;
  private readonly touched: Int32Array;
  private readonly seen: Uint32Array;
  private stamp = 0;

  constructor(
    private readonly matrix: Float32Array,
    private readonly dim: number,
  ) {
    this.rowCount = matrix.length / dim;
    this.scores = new Float64Array(this.rowCount);
    this.touched = new Int32Array(this.rowCount);
    this.seen = new Uint32Array(this.rowCount);
  }

  /** The query's scores; valid until the next call (search is synchronous, so each query reads its own). */
  score(query: SparseQuery): SparseScores {
    const { scores, touched, seen } = this;
    scores.fill(0);
    // A new stamp per query marks rows touched by this one, without clearing the marks of the last.
    const stamp = (this.stamp = (this.stamp % 0xffffffff) + 1);
    if (stamp === 1) seen.fill(0);
    let count = 0;
    for (let n = 0; n < query.index.length; n++) {
      const { rows, values } = this.column(query.index[n]!);
      const weight = query.value[n]!;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (seen[row] !== stamp) {
          seen[row] = stamp;
          touched[count++] = row;
        }
        scores[row]! += values[i]! * weight;
      }
    }
    return { scores, touched: touched.subarray(0, count) };
  }

  private column(column: number): Posting {
    let posting = this.columns.get(column);
    if (!posting) {
      const rows: number[] = [];
      const values: number[] = [];
      for (let row = 0, at = column; row < this.rowCount; row++, at += this.dim) {
        const value = this.matrix[at]!;
        if (value !== 0) {
          rows.push(row);
          values.push(value);
        }
      }
      posting = { rows: Int32Array.from(rows), values: Float32Array.from(values) };
      this.columns.set(column, posting);
    }
    return posting;
  }
}

export interface Ranked {
  row: number;
  /** What the rows are ordered by (similarity, plus a lift when proposed filters are matched). */
  key: number;
}

/** The k rows with the highest key, best first; equal keys by lower row, so results are deterministic. */
export function topK(rows: ArrayLike<number>, key: (row: number) => number, k: number): Ranked[] {
  const best: Ranked[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const value = key(row);
    if (best.length === k && !outranks(value, row, best[k - 1]!)) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (outranks(value, row, best[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    best.splice(lo, 0, { row, key: value });
    if (best.length > k) best.pop();
  }
  return best;
}

const outranks = (key: number, row: number, other: Ranked) => key > other.key || (key === other.key && row < other.row);
