import { mapText } from '../alignment/map';
import type { Towers } from '../alignment/towers';
import type { CropRecord } from '../crops/crop-record';
import { checkFusion, fuse, fusedDim, type Fusion, type FusionStrategy } from '../embedder/fusion';
import { createFaissIndex, faissSearchMany } from '../index/faiss';
import type { LocalIndex } from '../index';
import { leakageFreePrecision, sampleRows, type QueryNeighbours } from './metrics';
import type { FusionComparison, FusionRow, QueryFigures } from './report';

export { readTowers, type Towers } from '../alignment/towers';

/** The run's own fusion, then the other strategies with its weights (average ignores them). */
function candidateFusions(run: Fusion): Fusion[] {
  const strategies: FusionStrategy[] = ['concat', 'weighted', 'average'];
  return [run, ...strategies.filter((s) => s !== run.strategy).map((strategy) => ({ ...run, strategy }))];
}

function row(matrix: Float32Array, dim: number, i: number): Float32Array {
  return matrix.subarray(i * dim, (i + 1) * dim);
}

function isZero(vector: Float32Array): boolean {
  return vector.every((v) => v === 0);
}

/** The text vectors one strategy fuses, with their size and whether they share the image tower's space. */
interface TextSide {
  aligned: boolean;
  data: Float32Array;
  dim: number;
}

/**
 * Unaligned towers with a text → image map (phase 3 fitted it on the training claims): every crop's context mapped
 * into the image space, so weighted and average fusion add coordinates that mean the same thing. Crops without
 * text keep a zero row.
 */
function mappedText(towers: Towers): TextSide | null {
  if (towers.aligned || !towers.alignment) return null;
  const { map } = towers.alignment;
  const data = new Float32Array(towers.records.length * towers.imageDim);
  towers.records.forEach((_, i) => {
    const mapped = mapText(map, row(towers.text, towers.textDim, i));
    if (mapped) data.set(mapped, i * towers.imageDim);
  });
  return { aligned: true, data, dim: towers.imageDim };
}

/** The live index's view the comparison checks its own vectors against. */
export type IndexedVectors = Pick<LocalIndex, 'config' | 'size' | 'rowOf' | 'vector'>;

/**
 * Leakage-free P@k of three query kinds for each fusion strategy, all recomputed from the tower vectors:
 * a crop's own fused vector (image + its context), its image alone (how a dropped photo is queried) and its
 * context alone (a typed query). The items are always the fused crops, as in the index; rejected crops take no part.
 * For unaligned towers, weighted and average fuse the contexts mapped into the image space when phase 3 fitted a
 * map (concat keeps the text tower, as indexed); without a map they are not scored.
 */
export function compareFusions(towers: Towers, k: number, maxQueries: number, index: IndexedVectors): FusionComparison {
  const { imageDim } = towers;
  const ownText: TextSide = { aligned: towers.aligned, data: towers.text, dim: towers.textDim };
  const mapped = mappedText(towers);
  const live = towers.records.flatMap((record, i) => (record.rejected ? [] : [{ record, i }]));
  const records = live.map((l) => l.record);
  const perPhoto = new Map<string, number>();
  for (const r of records) perPhoto.set(r.source_image, (perPhoto.get(r.source_image) ?? 0) + 1);
  // Enough neighbours that k remain once the query's own photo is dropped: exact, since the index is Flat.
  const widened = k + Math.max(0, ...perPhoto.values());
  const sampled = sampleRows(records.length, maxQueries);

  const rows: FusionRow[] = candidateFusions(towers.fusion).map((fusion) => {
    const base = { strategy: fusion.strategy, alpha: fusion.alpha, beta: fusion.beta, count: records.length };
    const side = fusion.strategy !== 'concat' && mapped ? mapped : ownText;
    const textDim = side.dim;
    try {
      checkFusion(fusion, side.aligned, imageDim, textDim);
    } catch (error) {
      return { ...base, dim: null, indexed: false, unavailable: (error as Error).message, queries: null };
    }
    const dim = fusedDim(fusion, imageDim, textDim);
    const vectorOf = (i: number, image: boolean, text: boolean): Float32Array => {
      const t = row(side.data, textDim, i);
      return fuse(image ? row(towers.image, imageDim, i) : null, text && !isZero(t) ? t : null, fusion, imageDim, textDim);
    };
    const items = new Float32Array(records.length * dim);
    live.forEach(({ i }, j) => items.set(vectorOf(i, true, true), j * dim));
    const faiss = createFaissIndex('flat', items, dim);

    const figures = (queryRows: number[], vector: (j: number) => Float32Array): QueryFigures => {
      const queries = new Float32Array(queryRows.length * dim);
      queryRows.forEach((j, q) => queries.set(vector(j), q * dim));
      const found = faissSearchMany(faiss, queries, widened);
      const neighbours: QueryNeighbours[] = queryRows.map((j, q) => ({
        row: j,
        neighbours: found[q]!.filter((n) => records[n.row]!.source_image !== records[j]!.source_image).slice(0, k).map((n) => n.row),
      }));
      return leakageFreePrecision(records, neighbours, k);
    };
    const withText = sampled.filter((j) => !isZero(row(side.data, textDim, live[j]!.i)));
    return {
      ...base,
      dim,
      indexed: isIndexed(towers, fusion, dim, items, records, index),
      unavailable: null,
      queries: {
        crop: figures(sampled, (j) => items.subarray(j * dim, (j + 1) * dim)),
        photo: figures(sampled, (j) => vectorOf(live[j]!.i, true, false)),
        text: figures(withText, (j) => vectorOf(live[j]!.i, false, true)),
      },
    };
  });
  const note = mapped
    ? `This model's towers are not aligned: weighted and average fuse each context mapped into the image space by the text → image map phase 3 fitted on the training claims (λ ${towers.alignment!.map.lambda}, ${towers.alignment!.info.fitted_on} crops); concat keeps the text tower, as indexed. These rows cover every crop, training claims included, so their gain is partly in-sample: the held-out figures are in the alignment section.`
    : null;
  return { source: towers.source, note, rows };
}

/** Same model, fusion and size as the live index and, on a few sampled crops, the very vectors it stores. */
function isIndexed(towers: Towers, fusion: Fusion, dim: number, items: Float32Array, records: CropRecord[], index: IndexedVectors): boolean {
  const { config } = index;
  if (towers.model !== config.model || dim !== config.dim || config.fusion !== fusion.strategy || records.length !== index.size) return false;
  return sampleRows(records.length, 8).every((j) => {
    const indexRow = index.rowOf(records[j]!.crop_id);
    if (indexRow === undefined) return false;
    const stored = index.vector(indexRow);
    return stored.every((v, d) => Math.abs(v - items[j * dim + d]!) < 1e-5);
  });
}
