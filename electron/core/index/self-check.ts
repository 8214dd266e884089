import { faissSearch, type FaissIndex, type IndexType } from './faiss';
import type { SelfCheck } from './store';
import { dotRow } from './vectors';

const SAMPLE = 100;
/** float32 inner products of a unit vector with itself land within this of 1. */
const SCORE_TOLERANCE = 1e-4;

/**
 * Each of an evenly spread sample of stored vectors must come back first when searched for, with score ≈ 1.
 * A different row that scores the same counts as a pass: crops of one photo can be exact duplicates.
 */
export function selfCheck(index: FaissIndex, vectors: Float32Array, dim: number): SelfCheck {
  const rows = vectors.length / dim;
  const sampled = Math.min(SAMPLE, rows);
  let passed = 0;
  let minSelf: number | null = null;
  for (let i = 0; i < sampled; i++) {
    const row = Math.floor((i * rows) / sampled);
    const query = vectors.subarray(row * dim, (row + 1) * dim);
    const self = dotRow(vectors, dim, row, query);
    minSelf = minSelf === null ? self : Math.min(minSelf, self);
    const top = faissSearch(index, query, 1)[0];
    if (!top || Math.abs(self - 1) > SCORE_TOLERANCE) continue;
    if (top.row === row || top.score >= self - SCORE_TOLERANCE) passed++;
  }
  return { sampled, passed, min_self_score: minSelf };
}

/** Flat search is exact, so any miss is corruption; HNSW may miss a rare vector its graph left unreachable. */
export function selfCheckFailure(check: SelfCheck, type: IndexType): string | null {
  const required = type === 'flat' ? check.sampled : Math.ceil(0.95 * check.sampled);
  return check.passed >= required
    ? null
    : `self-similarity check failed: ${check.passed}/${check.sampled} sampled vectors found themselves first (need ${required})`;
}
