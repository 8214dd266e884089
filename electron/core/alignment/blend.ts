import type { Embedder } from '../embedder/embedder';
import { l2Normalise } from '../embedder/lexical';
import { mapText, type TextImageMap } from './map';
import type { StoredAlignment } from './store';

export interface BlendWeights {
  /** The index's concat block weights (each crop is [α·image, β·text], renormalised). */
  alpha: number;
  beta: number;
  /** Share of the score that comes from pixels. */
  pixelWeight: number;
}

/**
 * A text query in the concat index's space that scores a crop by pixelWeight·⟨mapped text, crop image⟩ +
 * (1 − pixelWeight)·⟨text, crop context⟩ (up to one constant factor): the image block carries the mapped text,
 * divided by α so the index's own α cancels, and likewise the text block by β. Null for an all-zero text.
 */
export function blendedTextQuery(text: Float32Array, map: TextImageMap, weights: BlendWeights): Float32Array | null {
  const pixels = mapText(map, text);
  if (!pixels) return null;
  const out = new Float32Array(map.imageDim + text.length);
  const imageScale = weights.pixelWeight / weights.alpha;
  const textScale = (1 - weights.pixelWeight) / weights.beta;
  for (let j = 0; j < map.imageDim; j++) out[j] = imageScale * pixels[j]!;
  for (let i = 0; i < text.length; i++) out[map.imageDim + i] = textScale * text[i]!;
  return l2Normalise(out, 'blended text query');
}

/**
 * The embedder a search uses, with typed queries (text alone, no photo) scoring crops by their pixels too. Only
 * for concat fusion over unaligned towers, the one case a map is fitted for; photo queries are left as they are.
 */
export function withTextAlignment(embedder: Embedder, { map, info }: StoredAlignment): Embedder {
  const { fusion, imageDim, textDim } = embedder;
  if (fusion.strategy !== 'concat' || map.imageDim !== imageDim || map.textDim !== textDim || fusion.alpha === 0 || fusion.beta === 0) return embedder;
  const weights: BlendWeights = { alpha: fusion.alpha, beta: fusion.beta, pixelWeight: info.pixel_weight };
  return {
    ...embedder,
    async embedQuery(query) {
      if (query.imagePath || !query.text || query.weights) return embedder.embedQuery(query);
      const [text] = await embedder.embedTexts([query.text]);
      // An all-zero text has no mapped vector: the embedder's own query says why in words.
      return blendedTextQuery(text!, map, weights) ?? embedder.embedQuery(query);
    },
  };
}

/**
 * How much of a text query's top k the pixel score alone would also put in its top k (and the context score
 * alone): the share of the ranking that comes from each side.
 */
export function topKOverlap(blended: readonly number[], alone: readonly number[]): number {
  if (!blended.length) return 0;
  const set = new Set(alone);
  return blended.filter((r) => set.has(r)).length / blended.length;
}
