import { exactTopK } from '../index/vectors';
import { isRelevant, randomRelevantAt, relevantAt, type BenchmarkPhrase } from '../text/phrases';
import { blendedTextQuery, topKOverlap } from './blend';
import { mapText, type AlignmentRecord, type TextImageMap } from './map';
import { alignmentParts, rowsOf } from './partition';
import { majorityLabels, mean, rankingFigures, rankItems, TOP, type RankingFigures } from './ranking';
import type { Matrix } from './ridge';

export interface PhraseFigure {
  text: string;
  group: string;
  relevant: number;
  /** Share relevant in the top 5 of held-out crops ranked by their image vectors alone. */
  pixels: number;
  random: number;
}

export interface BlendShare {
  queries: number;
  /** Share of the blended top 5 that the pixel score alone also puts in its top 5. */
  fromPixels: number | null;
  /** … that the context score alone also puts in its top 5. */
  fromContexts: number | null;
  /** Type P@5 of the blended ranking and of the context score alone, over the same queries. */
  blendedTypeP5: number | null;
  contextTypeP5: number | null;
}

export interface HeldOutAlignment {
  crops: { fit: number; validation: number; heldout: number };
  /** Each held-out crop's own context, mapped, ranking the other held-out photos' crops by pixels alone. */
  ownContexts: RankingFigures[];
  phrases: PhraseFigure[];
  /** Phrases with fewer than 5 relevant held-out crops. */
  unscored: string[];
  blend: BlendShare;
}

export interface HeldOutInputs {
  records: readonly AlignmentRecord[];
  image: Matrix;
  text: Matrix;
  map: TextImageMap;
  /** Benchmark phrases with their text-tower vectors. */
  phrases: readonly (BenchmarkPhrase & { vector: Float32Array })[];
  /** The index's block weights and the pixel share, to measure where a blended ranking comes from. */
  blend: { alpha: number; beta: number; pixelWeight: number };
}

/** The map scored on the held-out claims: text queries ranking crops by their pixels (contexts removed from the items). */
export function heldOutAlignment({ records, image, text, map, phrases, blend }: HeldOutInputs): HeldOutAlignment {
  const parts = alignmentParts(records);
  const heldOut = rowsOf(parts, 'heldout');
  const training = [...rowsOf(parts, 'fit'), ...rowsOf(parts, 'validation')];
  const textRow = (r: number) => text.data.subarray(r * text.cols, (r + 1) * text.cols);
  const queries = heldOut.map((row) => ({ row, vector: mapText(map, textRow(row)) }));
  const ownContexts = rankingFigures(queries, image, heldOut, records, majorityLabels(records, training));

  const scored: PhraseFigure[] = [];
  const unscored: string[] = [];
  const heldOutLabels = heldOut.map((r) => records[r]!);
  for (const phrase of phrases) {
    const relevant = heldOutLabels.filter((r) => isRelevant(r, phrase.expected)).length;
    const vector = mapText(map, phrase.vector);
    if (relevant < TOP || !vector) {
      unscored.push(phrase.text);
      continue;
    }
    const top = exactTopK(image.data, image.cols, vector, TOP, heldOut).map((n) => records[n.row]!);
    scored.push({ text: phrase.text, group: phrase.group, relevant, pixels: relevantAt(top, phrase.expected, TOP), random: randomRelevantAt(heldOutLabels, phrase.expected) });
  }
  return { crops: { fit: rowsOf(parts, 'fit').length, validation: rowsOf(parts, 'validation').length, heldout: heldOut.length }, ownContexts, phrases: scored, unscored, blend: blendShare(records, image, text, map, heldOut, blend) };
}

/**
 * Where a blended text query's top 5 comes from, over held-out crops that keep their contexts: the share the pixel
 * score alone and the context score alone would also rank there, and the type P@5 of the blend beside contexts alone.
 */
function blendShare(records: readonly AlignmentRecord[], image: Matrix, text: Matrix, map: TextImageMap, items: readonly number[], weights: HeldOutInputs['blend']): BlendShare {
  const dim = image.cols + text.cols;
  const fused = new Float32Array(records.length * dim);
  for (const r of items) {
    for (let j = 0; j < image.cols; j++) fused[r * dim + j] = weights.alpha * image.data[r * image.cols + j]!;
    for (let i = 0; i < text.cols; i++) fused[r * dim + image.cols + i] = weights.beta * text.data[r * text.cols + i]!;
  }
  const contexts: Matrix = { data: text.data, rows: text.rows, cols: text.cols };
  const fromPixels: number[] = [];
  const fromContexts: number[] = [];
  const blendedType: number[] = [];
  const contextType: number[] = [];
  for (const row of items) {
    const t = text.data.subarray(row * text.cols, (row + 1) * text.cols);
    const query = blendedTextQuery(t, map, weights);
    if (!query) continue;
    const own = records[row]!.source_image;
    const blended = rankItems(query, { data: fused, rows: records.length, cols: dim }, items, records, own);
    fromPixels.push(topKOverlap(blended, rankItems(mapText(map, t)!, image, items, records, own)));
    const byContext = rankItems(t, contexts, items, records, own);
    fromContexts.push(topKOverlap(blended, byContext));
    const q = records[row]!;
    if (q.has_damage && q.damage_types.length) {
      const typeShare = (top: number[]) => top.filter((r) => records[r]!.damage_types.some((d) => q.damage_types.includes(d))).length / TOP;
      blendedType.push(typeShare(blended));
      contextType.push(typeShare(byContext));
    }
  }
  return { queries: fromPixels.length, fromPixels: mean(fromPixels), fromContexts: mean(fromContexts), blendedTypeP5: mean(blendedType), contextTypeP5: mean(contextType) };
}
