import type { BBox } from '../dataset/model';
import type { CarLocator } from '../detector/car-locator';
import type { DamageType } from '../domain/damage-types';
import { fuse } from '../embedder/fusion';
import { decodeRgb, extractPatch } from '../embedder/preprocess';
import type { QueryEmbedder } from '../embedder/query';
import { cellsInBox, typeScores, windowScore, type DamageModel } from '../learning/damage-model';
import { scoringWindows } from '../learning/windows';
import { inspectionAnswer, type Retriever, type RetrievalResult, type SearchFilters, type Vote } from '../retriever';

export type DamageVerdict = 'damaged' | 'clean' | 'uncertain';

export interface InspectedWindow {
  box: BBox;
  /** Learned damage score of the window (mean of its most damaged quarter of cells), 0..1. */
  score: number;
  /** score ≥ the heads' window threshold. */
  damaged: boolean;
  /** Most likely damage types inside the window, by the type head. */
  types: { type: DamageType; score: number }[];
  /** Share of the neighbours that are damaged crops (evidence, not the score). */
  neighbourDamageShare: number | null;
  neighbours: RetrievalResult[];
}

/** The answer for one dropped photo: damage yes/no with a calibrated probability, types, zone, where, and evidence. */
export interface PhotoInspection {
  photo: { width: number; height: number };
  car: BBox | null;
  damage: { probability: number; verdict: DamageVerdict; uncertainBand: [number, number] };
  /** Empty when the verdict is clean. */
  types: { type: DamageType; score: number }[];
  /** The neighbours' zone vote when a majority backs it, else null (the heads do not predict zones). */
  zone: Vote<string> | null;
  /** Best window first. */
  windows: InspectedWindow[];
  heatmap: { cols: number; rows: number; values: number[] };
  windowThreshold: number;
  timings: { locateMs: number; analyseMs: number; embedMs: number; searchMs: number; totalMs: number };
  models: { heads: string; embedder: string | null };
}

export interface InspectorParts {
  damageModel: DamageModel;
  locator: CarLocator;
  /** Without a workspace index, the answer comes from the heads alone (no neighbours). */
  retrieval: { embedder: QueryEmbedder; retriever: Retriever } | null;
}

export interface InspectOptions {
  /** Neighbours per window (default 5). */
  k?: number;
  filters?: SearchFilters;
}

export function verdictOf(probability: number, [low, high]: readonly [number, number]): DamageVerdict {
  if (probability >= high) return 'damaged';
  if (probability <= low) return 'clean';
  return 'uncertain';
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** A zone is answered only when most of the neighbours' vote backs it (crops without a zone vote for none). */
export const ZONE_MAJORITY = 0.5;

function zoneAnswer(neighbours: RetrievalResult[]): Vote<string> | null {
  const vote = inspectionAnswer(neighbours).zone;
  return vote && vote.confidence >= ZONE_MAJORITY ? vote : null;
}

/** Photo → car → windows → one backbone pass for the heatmap → windows embedded in one batch → one batched search. */
export async function inspectPhoto(imagePath: string, parts: InspectorParts, options: InspectOptions = {}): Promise<PhotoInspection> {
  const { damageModel, locator, retrieval } = parts;
  const k = options.k ?? 5;
  const started = performance.now();
  const [raw, location] = await Promise.all([
    decodeRgb(imagePath).catch((error: Error) => {
      throw new Error(`${imagePath}: cannot read the image (${error.message})`, { cause: error });
    }),
    locator.locate(imagePath),
  ]);
  const located = performance.now();
  const map = await damageModel.analyse(raw);
  const probability = damageModel.photoProbability(map);
  const car = location.method === 'detector' ? location.box : null;
  const boxes = scoringWindows(raw, car);
  const analysed = performance.now();

  let neighbours: RetrievalResult[][] = boxes.map(() => []);
  let embedded = analysed;
  if (retrieval) {
    const { embedder } = retrieval.embedder;
    // One view per window: windows are at most 448 px, the scale of the indexed crops, and the extra patches would
    // multiply the tower runs by five (a 1024 px photo: ~125 views, about 2 s here, against the 1 s the drop allows).
    const images = await embedder.embedImages(await Promise.all(boxes.map((w) => extractPatch(raw, w.x, w.y, w.width, w.height))), { multiPatch: false });
    const vectors = images.map((image) => fuse(image, null, embedder.fusion, embedder.imageDim, embedder.textDim));
    embedded = performance.now();
    neighbours = retrieval.retriever.searchMany(vectors, { k, filters: options.filters });
  }
  const searched = performance.now();

  const { windowThreshold, uncertainBand } = damageModel.heads;
  const windows: InspectedWindow[] = boxes
    .map((box, i) => {
      const score = windowScore(map, box);
      const found = neighbours[i]!;
      return {
        box,
        // Unrounded: many windows score within 0.001 of each other near 1, and rounding would tie them.
        score,
        damaged: score >= windowThreshold,
        types: typeScores(map, cellsInBox(map, box)).slice(0, 3).map((t) => ({ type: t.type, score: round(t.score) })),
        neighbourDamageShare: found.length > 0 ? round(found.filter((r) => r.has_damage).length / found.length) : null,
        neighbours: found,
      };
    })
    .sort((a, b) => b.score - a.score);
  const verdict = verdictOf(probability, uncertainBand);
  const evidence = windows.filter((w) => w.damaged).flatMap((w) => w.neighbours);
  return {
    photo: { width: raw.width, height: raw.height },
    car,
    damage: { probability: round(probability), verdict, uncertainBand },
    types: verdict === 'clean' ? [] : typeScores(map).slice(0, 3).map((t) => ({ type: t.type, score: round(t.score) })),
    zone: zoneAnswer(evidence.length > 0 ? evidence : windows.flatMap((w) => w.neighbours)),
    windows,
    heatmap: { cols: map.cols, rows: map.rows, values: Array.from(map.damage, round) },
    windowThreshold: round(windowThreshold),
    timings: {
      locateMs: Math.round(located - started),
      analyseMs: Math.round(analysed - located),
      embedMs: Math.round(embedded - analysed),
      searchMs: Math.round(searched - embedded),
      totalMs: Math.round(performance.now() - started),
    },
    models: { heads: damageModel.manifest.id, embedder: retrieval?.embedder.embedder.manifest.id ?? null },
  };
}
