/**
 * Closed-form ridge regression from one vector space to another, in plain TypeScript (float64 internally):
 * Y ≈ b + X·W with W = (XcᵀXc + λI)⁻¹ XcᵀYc over the centred rows. Small enough here (256 inputs) that the normal
 * equations and a Cholesky solve are exact and fast; no iterative trainer, so the fit is deterministic.
 */

export interface Matrix {
  /** rows × cols, row-major. */
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface RidgeMoments {
  inputDim: number;
  outputDim: number;
  rows: number;
  meanX: Float64Array;
  meanY: Float64Array;
  /** XcᵀXc, inputDim × inputDim. */
  xtx: Float64Array;
  /** XcᵀYc, inputDim × outputDim. */
  xty: Float64Array;
}

export interface RidgeFit {
  /** inputDim × outputDim, row-major. */
  weights: Float64Array;
  meanX: Float64Array;
  meanY: Float64Array;
  lambda: number;
}

/** The centred cross-products of the chosen rows: computed once, then solved for every λ tried. */
export function ridgeMoments(x: Matrix, y: Matrix, rows: readonly number[]): RidgeMoments {
  if (x.rows !== y.rows) throw new Error(`ridge: ${x.rows} input rows but ${y.rows} output rows`);
  if (!rows.length) throw new Error('ridge: no rows to fit on');
  const p = x.cols;
  const q = y.cols;
  const meanX = new Float64Array(p);
  const meanY = new Float64Array(q);
  for (const r of rows) {
    for (let i = 0; i < p; i++) meanX[i]! += x.data[r * p + i]!;
    for (let j = 0; j < q; j++) meanY[j]! += y.data[r * q + j]!;
  }
  for (let i = 0; i < p; i++) meanX[i]! /= rows.length;
  for (let j = 0; j < q; j++) meanY[j]! /= rows.length;
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p * q);
  const xc = new Float64Array(p);
  const yc = new Float64Array(q);
  for (const r of rows) {
    for (let i = 0; i < p; i++) xc[i] = x.data[r * p + i]! - meanX[i]!;
    for (let j = 0; j < q; j++) yc[j] = y.data[r * q + j]! - meanY[j]!;
    for (let i = 0; i < p; i++) {
      const xi = xc[i]!;
      if (xi === 0) continue;
      // Upper triangle only; mirrored below.
      for (let k = i; k < p; k++) xtx[i * p + k]! += xi * xc[k]!;
      for (let j = 0; j < q; j++) xty[i * q + j]! += xi * yc[j]!;
    }
  }
  for (let i = 0; i < p; i++) for (let k = 0; k < i; k++) xtx[i * p + k] = xtx[k * p + i]!;
  return { inputDim: p, outputDim: q, rows: rows.length, meanX, meanY, xtx, xty };
}

/** Solves the ridge system for one λ > 0 (scaled by the row count, so one λ means the same for any n). */
export function solveRidge(moments: RidgeMoments, lambda: number): RidgeFit {
  if (!(lambda > 0)) throw new Error(`ridge: λ must be > 0, got ${lambda}`);
  const { inputDim: p, outputDim: q, xtx, xty } = moments;
  const a = Float64Array.from(xtx);
  for (let i = 0; i < p; i++) a[i * p + i]! += lambda * moments.rows;
  const l = cholesky(a, p);
  const weights = new Float64Array(p * q);
  const column = new Float64Array(p);
  for (let j = 0; j < q; j++) {
    for (let i = 0; i < p; i++) column[i] = xty[i * q + j]!;
    solveCholesky(l, p, column);
    for (let i = 0; i < p; i++) weights[i * q + j] = column[i]!;
  }
  return { weights, meanX: moments.meanX, meanY: moments.meanY, lambda };
}

/** Lower-triangular L with A = LLᵀ; A is symmetric positive definite (λ > 0 makes it so). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error('ridge: the system is not positive definite (raise λ)');
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  return l;
}

/** Solves LLᵀx = b in place. */
function solveCholesky(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * b[k]!;
    b[i] = sum / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * b[k]!;
    b[i] = sum / l[i * n + i]!;
  }
}
