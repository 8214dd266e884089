/**
 * The offline text tower: a bag of CLIP BPE unigrams and bigrams, hashed into `dim` signed buckets with
 * sublinear term frequency (1 + ln tf), L2-normalised. Deterministic and exact about words ("dent" vs "scratch"),
 * with no notion of synonyms; that is the honest best without text weights on the machine. No IDF: it would tie
 * every vector to the corpus it was computed on, so a query and the index could disagree after any edit; the
 * descriptions are short and templated, and the bigrams already separate "front door" from "rear door".
 */
export function lexicalVector(tokenIds: readonly number[], dim: number, what = 'text'): Float32Array {
  const counts = new Map<number, number>();
  const add = (key: number) => counts.set(key, (counts.get(key) ?? 0) + 1);
  tokenIds.forEach((id, i) => {
    add(id);
    if (i > 0) add(0x40000000 + tokenIds[i - 1]! * 49_411 + id);
  });
  const vector = new Float32Array(dim);
  for (const [key, count] of counts) {
    const h = hash32(key);
    vector[h % dim]! += (h & 0x80000000 ? -1 : 1) * (1 + Math.log(count));
  }
  return l2Normalise(vector, what);
}

/** Thomas Wang's 32-bit integer mix: cheap, stable across platforms, well spread. */
function hash32(key: number): number {
  let h = key >>> 0;
  h = (h ^ 61 ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 9) >>> 0;
  h = (h ^ (h >>> 4)) >>> 0;
  h = Math.imul(h, 0x27d4eb2d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

export function l2Normalise(vector: Float32Array, what = 'vector'): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm === 0 || !Number.isFinite(norm)) throw new Error(`${what}: cannot normalise a zero or non-finite vector`);
  for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}
