import { l2Normalise } from './lexical';

export type FusionStrategy = 'average' | 'weighted' | 'concat';

export interface Fusion {
  strategy: FusionStrategy;
  alpha: number;
  beta: number;
}

/** Refuses a fusion that mixes the coordinates of towers that do not share a space. */
export function checkFusion(fusion: Fusion, aligned: boolean, imageDim: number, textDim: number): void {
  if (fusion.strategy !== 'concat' && !aligned) {
    throw new Error(`fusion '${fusion.strategy}' needs aligned towers; this model's image and text towers are not aligned: use concat`);
  }
  if (fusion.strategy !== 'concat' && imageDim !== textDim) {
    throw new Error(`fusion '${fusion.strategy}' needs towers of one size (image ${imageDim}, text ${textDim}): use concat`);
  }
  if (fusion.alpha < 0 || fusion.beta < 0 || fusion.alpha + fusion.beta === 0) throw new Error('alpha and beta must be ≥ 0 and not both 0');
}

export function fusedDim(fusion: Fusion, imageDim: number, textDim: number): number {
  return fusion.strategy === 'concat' ? imageDim + textDim : imageDim;
}

/**
 * Fuses L2-normalised image and text vectors into one L2-normalised vector. A missing side (an image-only or
 * text-only query) contributes nothing: for concat its block is zero, so the query ranks by the other block alone.
 */
export function fuse(image: Float32Array | null, text: Float32Array | null, fusion: Fusion, imageDim: number, textDim: number): Float32Array {
  if (!image && !text) throw new Error('nothing to embed: neither an image nor a text');
  const out = new Float32Array(fusedDim(fusion, imageDim, textDim));
  if (fusion.strategy === 'concat') {
    if (image) for (let i = 0; i < imageDim; i++) out[i] = fusion.alpha * image[i]!;
    if (text) for (let i = 0; i < textDim; i++) out[imageDim + i] = fusion.beta * text[i]!;
  } else {
    const [a, b] = fusion.strategy === 'average' ? [0.5, 0.5] : [fusion.alpha, fusion.beta];
    for (let i = 0; i < imageDim; i++) out[i] = (image ? a * image[i]! : 0) + (text ? b * text[i]! : 0);
  }
  return l2Normalise(out);
}
