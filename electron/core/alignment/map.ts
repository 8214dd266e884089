import { l2Normalise } from '../embedder/lexical';
import { alignmentParts, rowsOf } from './partition';
import { majorityLabels, rankingFigures, type Labelled } from './ranking';
import { ridgeMoments, solveRidge, type Matrix } from './ridge';

/**
 * A linear map from the text tower's space into the image tower's: image ≈ offset + text · weights. A text query
 * mapped by it ranks crops by their image vectors, so pixels answer words even where a crop has no context.
 */
export interface TextImageMap {
  textDim: number;
  imageDim: number;
  /** textDim × imageDim, row-major. */
  weights: Float32Array;
  /** imageDim values added to every mapped vector. */
  offset: Float32Array;
  lambda: number;
  /**
   * 'mean': the offset keeps the mean training image, so the map predicts an image vector (least squares);
   * 'centred': it leaves the mean out, so the ranking rests only on how a text moves the image away from the mean.
   */
  offsetMode: OffsetMode;
}

export type OffsetMode = 'mean' | 'centred';

/** λ values tried (scaled by the number of fit rows), from nearly none to heavy shrinkage. */
export const LAMBDAS = [1e-4, 1e-3, 1e-2, 1e-1, 1] as const;
/** Used when the training claims leave no validation part to choose on (tiny workspaces). */
const FALLBACK = { lambda: 1e-2, offsetMode: 'centred' as OffsetMode };

export interface AlignmentFit {
  map: TextImageMap;
  /** Crop ids the final map was fitted on (training claims: fit and validation parts): none is held out. */
  fittedOn: string[];
  /** How λ and the offset were chosen: each candidate's type P@5 on the validation claims, or null without them. */
  selection: { lambda: number; offsetMode: OffsetMode; typeP5: number | null; hasDamageP5: number | null }[] | null;
  parts: { fit: number; validation: number; heldout: number };
}

/** The training claims hold too few crops with a context to fit a map on (a tiny workspace). */
export class TooFewTrainingCrops extends Error {}

export type AlignmentRecord = Labelled & { crop_id: string; source_path: string };

/** The mapped vector of one text vector, L2-normalised; null for an all-zero text (no known word). */
export function mapText(map: TextImageMap, text: Float32Array): Float32Array | null {
  if (text.length !== map.textDim) throw new Error(`alignment map: a text vector of ${text.length} values, the map expects ${map.textDim}`);
  if (!text.some((v) => v !== 0)) return null;
  const out = Float32Array.from(map.offset);
  for (let i = 0; i < map.textDim; i++) {
    const t = text[i]!;
    if (t === 0) continue;
    const row = i * map.imageDim;
    for (let j = 0; j < map.imageDim; j++) out[j]! += t * map.weights[row + j]!;
  }
  return l2Normalise(out, 'mapped text vector');
}

function toMap(fit: ReturnType<typeof solveRidge>, offsetMode: OffsetMode, textDim: number, imageDim: number): TextImageMap {
  const offset = new Float32Array(imageDim);
  for (let j = 0; j < imageDim; j++) {
    let projectedMean = 0;
    for (let i = 0; i < textDim; i++) projectedMean += fit.meanX[i]! * fit.weights[i * imageDim + j]!;
    offset[j] = (offsetMode === 'mean' ? fit.meanY[j]! : 0) - projectedMean;
  }
  return { textDim, imageDim, weights: Float32Array.from(fit.weights), offset, lambda: fit.lambda, offsetMode };
}

/**
 * Chooses λ and the offset mode by fitting on the (context text, image) pairs of the training claims' "fit" part and
 * scoring the type P@5 (ties: has_damage P@5) of the validation claims' own contexts ranking the validation crops by
 * their pixels; then refits with that choice on both parts. Held-out claims are neither fitted nor chosen on.
 * Crops without text are never fitted on.
 */
export function fitTextImageMap(records: readonly AlignmentRecord[], image: Matrix, text: Matrix): AlignmentFit {
  if (records.length !== image.rows || records.length !== text.rows) {
    throw new Error(`alignment: ${records.length} crops but ${image.rows} image rows and ${text.rows} text rows`);
  }
  const hasText = (r: number) => text.data.subarray(r * text.cols, (r + 1) * text.cols).some((v) => v !== 0);
  const parts = alignmentParts(records);
  const fitRows = rowsOf(parts, 'fit').filter(hasText);
  const validationRows = rowsOf(parts, 'validation').filter(hasText);
  if (fitRows.length < 2) throw new TooFewTrainingCrops(`alignment: ${fitRows.length} training crops with a context; at least 2 are needed`);
  const moments = ridgeMoments(text, image, fitRows);
  const counts = { fit: fitRows.length, validation: validationRows.length, heldout: rowsOf(parts, 'heldout').length };
  if (validationRows.length < 2) {
    const map = toMap(solveRidge(moments, FALLBACK.lambda), FALLBACK.offsetMode, text.cols, image.cols);
    return { map, fittedOn: fitRows.map((r) => records[r]!.crop_id), selection: null, parts: counts };
  }
  const validationItems = rowsOf(parts, 'validation');
  const majority = majorityLabels(records, fitRows);
  const textRow = (r: number) => text.data.subarray(r * text.cols, (r + 1) * text.cols);
  let best: { map: TextImageMap; score: [number, number] } | null = null;
  const selection: NonNullable<AlignmentFit['selection']> = [];
  for (const lambda of LAMBDAS) {
    const solved = solveRidge(moments, lambda);
    for (const offsetMode of ['centred', 'mean'] as const) {
      const map = toMap(solved, offsetMode, text.cols, image.cols);
      const [all] = rankingFigures(validationRows.map((row) => ({ row, vector: mapText(map, textRow(row)) })), image, validationItems, records, majority);
      const score: [number, number] = [all!.damage_type.precision ?? 0, all!.has_damage.precision ?? 0];
      selection.push({ lambda, offsetMode, typeP5: all!.damage_type.precision, hasDamageP5: all!.has_damage.precision });
      if (!best || score[0] > best.score[0] || (score[0] === best.score[0] && score[1] > best.score[1])) best = { map, score };
    }
  }
  const trainingRows = [...fitRows, ...validationRows].sort((a, b) => a - b);
  const { lambda, offsetMode } = best!.map;
  const map = toMap(solveRidge(ridgeMoments(text, image, trainingRows), lambda), offsetMode, text.cols, image.cols);
  return { map, fittedOn: trainingRows.map((r) => records[r]!.crop_id), selection, parts: counts };
}
