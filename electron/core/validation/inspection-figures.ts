import type { BBox, Photo } from '../dataset/model';
import type { DamageType } from '../domain/damage-types';
import { inspectPhoto, type InspectorParts, type PhotoInspection } from '../inspection/inspect';
import { pointInPolygon } from '../crops/polygon-clearance';
import { sourceOf, splitPhotos } from '../split/split';
import { balancedAccuracy, brier, pairedAuroc, percentile, reliability, type ReliabilityBin } from '../learning/binary-metrics';

/** A window is damaged when damage polygons cover at least this share of it (and clean when it touches none). */
export const DAMAGED_WINDOW_SHARE = 0.1;
const SAMPLES = 24;

export interface InspectionFiguresOptions {
  /** Every photo of the workspace's sources: the held-out side is inspected, the training side gives the baselines. */
  photos: readonly Photo[];
  parts: InspectorParts;
  k?: number;
  /** At most this many held-out photos per source (spread evenly), for a quick run. */
  maxPhotosPerSource?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface InspectionFigures {
  source: string;
  photos: { damaged: number; clean: number };
  damage: {
    balancedAccuracy: number | null;
    accuracy: number | null;
    /** Baseline: answering "damaged" for every photo. */
    alwaysDamagedAccuracy: number | null;
    cleanAccuracy: number | null;
    damagedRecall: number | null;
    uncertainShare: number | null;
    brier: number | null;
    /** Baseline: always stating the training part's share of damaged photos. */
    baseRateBrier: number | null;
    baseRate: number;
  };
  windows: {
    withinPhotoAuroc: number | null;
    /** The same pairs scored by the share of damaged neighbours (the retrieval vote). */
    neighbourVoteAuroc: number | null;
    photos: number;
    pairs: number;
    pointing: number | null;
    /** Baseline: the chance that a random window of the photo touches damage. */
    randomPointing: number | null;
    cleanCarWindowsAboveThreshold: number | null;
    cleanCarWindows: number;
  };
  types: {
    top1: number | null;
    photos: number;
    /** Baseline: always answering the training part's most frequent type. */
    majorityTop1: number | null;
    majorityType: DamageType | null;
    p5: number | null;
    /** Baseline: random ranking (share of the searchable crops with a matching type). */
    randomP5: number | null;
    windows: number;
  };
  reliability: ReliabilityBin[];
  latencyMs: { p50: number | null; p95: number | null };
}

interface PhotoOutcome {
  photo: Photo;
  inspection: PhotoInspection;
  windows: { score: number; vote: number | null; coverage: number; touches: boolean; types: DamageType[]; typeMatches: number | null }[];
}

function polygonsOf(photo: Photo) {
  return photo.shapes.filter((s) => s.damageType !== null);
}

/** Sampled share of the window inside any damage polygon, whether it touches one at all, and the types it shows. */
function windowTruth(photo: Photo, box: BBox): { coverage: number; touches: boolean; types: DamageType[] } {
  const polygons = polygonsOf(photo);
  const overlapping = polygons.filter((s) => s.bbox.x < box.x + box.width && s.bbox.x + s.bbox.width > box.x && s.bbox.y < box.y + box.height && s.bbox.y + s.bbox.height > box.y);
  let inside = 0;
  const types = new Set<DamageType>();
  for (let i = 0; i < SAMPLES; i++) {
    for (let j = 0; j < SAMPLES; j++) {
      const x = box.x + ((j + 0.5) / SAMPLES) * box.width;
      const y = box.y + ((i + 0.5) / SAMPLES) * box.height;
      const hit = overlapping.find((s) => pointInPolygon([x, y], s.points));
      if (hit) {
        inside++;
        types.add(hit.damageType!);
      }
    }
  }
  return { coverage: inside / (SAMPLES * SAMPLES), touches: overlapping.length > 0, types: [...types].filter((t) => t !== 'unspecified_damage') };
}

const mean = (values: readonly number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

function spread<T>(items: readonly T[], max: number | undefined): T[] {
  if (max === undefined || items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

/**
 * Inspects every held-out photo (claim-grouped split) as the app does, with neighbours drawn from training-side
 * crops only, and scores the answers per source and overall, each figure beside its trivial baseline.
 */
export async function inspectionFigures(options: InspectionFiguresOptions): Promise<InspectionFigures[]> {
  const { photos, parts, k = 5 } = options;
  const assignments = splitPhotos(photos);
  const byId = new Map(photos.map((p) => [p.id, p]));
  const heldOutIds = assignments.filter((a) => a.side === 'heldout').map((a) => a.photoId);
  const training = assignments.filter((a) => a.side === 'train').map((a) => byId.get(a.photoId)!);
  const sources = [...new Set(heldOutIds.map(sourceOf))].sort();
  const heldOut = sources.flatMap((source) => spread(heldOutIds.filter((id) => sourceOf(id) === source), options.maxPhotosPerSource)).map((id) => byId.get(id)!);

  const baseRate = training.filter((p) => p.state === 'damaged').length / Math.max(1, training.length);
  const typeCounts = new Map<DamageType, number>();
  for (const p of training) for (const t of new Set(polygonsOf(p).map((s) => s.damageType!))) if (t !== 'unspecified_damage') typeCounts.set(t, (typeCounts.get(t) ?? 0) + 1);
  const majorityType = [...typeCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const searchable = parts.retrieval ? parts.retrieval.retriever.index.records.filter((r) => !heldOutIds.includes(r.source_image)) : [];

  const outcomes: PhotoOutcome[] = [];
  for (const [i, photo] of heldOut.entries()) {
    const inspection = await inspectPhoto(photo.imagePath, parts, { k, filters: { exclude_source_image: heldOutIds } });
    outcomes.push({
      photo,
      inspection,
      windows: inspection.windows.map((w) => {
        const truth = windowTruth(photo, w.box);
        const typeMatches = truth.types.length && w.neighbours.length ? w.neighbours.filter((n) => n.damage_types.some((t) => truth.types.includes(t))).length / w.neighbours.length : null;
        return { score: w.score, vote: w.neighbourDamageShare, ...truth, typeMatches };
      }),
    });
    options.onProgress?.(i + 1, heldOut.length);
  }

  const summarise = (source: string, list: PhotoOutcome[]): InspectionFigures => {
    const actual = list.map((o) => o.photo.state === 'damaged');
    const probabilities = list.map((o) => o.inspection.damage.probability);
    const predicted = probabilities.map((p) => p >= 0.5);
    const correct = predicted.filter((p, i) => p === actual[i]).length;
    const clean = list.filter((o) => o.photo.state === 'undamaged');
    const damaged = list.filter((o) => o.photo.state === 'damaged');
    const windowGroups = damaged.map((o) => ({
      positives: o.windows.filter((w) => w.coverage >= DAMAGED_WINDOW_SHARE),
      negatives: o.windows.filter((w) => !w.touches),
    }));
    const pointable = damaged.filter((o) => o.windows.some((w) => w.coverage > 0));
    const cleanWindows = clean.flatMap((o) => o.windows.map((w) => w.score));
    const threshold = list[0]?.inspection.windowThreshold ?? 0.5;
    const typed = damaged.filter((o) => polygonsOf(o.photo).some((s) => s.damageType !== 'unspecified_damage'));
    const truthTypes = (o: PhotoOutcome) => new Set(polygonsOf(o.photo).map((s) => s.damageType!));
    const typedWindows = damaged.flatMap((o) => o.windows.filter((w) => w.coverage >= DAMAGED_WINDOW_SHARE && w.typeMatches !== null));
    const randomMatch = (types: DamageType[]) => (searchable.length ? searchable.filter((r) => r.damage_types.some((t) => types.includes(t))).length / searchable.length : null);
    const times = list.map((o) => o.inspection.timings.totalMs);
    const votes = windowGroups.map((g) => ({ positives: g.positives.flatMap((w) => (w.vote === null ? [] : [w.vote])), negatives: g.negatives.flatMap((w) => (w.vote === null ? [] : [w.vote])) }));
    const within = pairedAuroc(windowGroups.map((g) => ({ positives: g.positives.map((w) => w.score), negatives: g.negatives.map((w) => w.score) })));
    return {
      source,
      photos: { damaged: damaged.length, clean: clean.length },
      damage: {
        balancedAccuracy: balancedAccuracy(predicted, actual),
        accuracy: list.length ? correct / list.length : null,
        alwaysDamagedAccuracy: list.length ? damaged.length / list.length : null,
        cleanAccuracy: clean.length ? clean.filter((o) => o.inspection.damage.probability < 0.5).length / clean.length : null,
        damagedRecall: damaged.length ? damaged.filter((o) => o.inspection.damage.probability >= 0.5).length / damaged.length : null,
        uncertainShare: list.length ? list.filter((o) => o.inspection.damage.verdict === 'uncertain').length / list.length : null,
        brier: brier(probabilities, actual),
        baseRateBrier: brier(list.map(() => baseRate), actual),
        baseRate,
      },
      windows: {
        withinPhotoAuroc: within.auroc,
        neighbourVoteAuroc: pairedAuroc(votes).auroc,
        photos: within.groups,
        pairs: within.pairs,
        pointing: pointable.length ? pointable.filter((o) => o.windows[0]!.coverage > 0).length / pointable.length : null,
        randomPointing: mean(pointable.map((o) => o.windows.filter((w) => w.coverage > 0).length / o.windows.length)),
        cleanCarWindowsAboveThreshold: cleanWindows.length ? cleanWindows.filter((s) => s >= threshold).length / cleanWindows.length : null,
        cleanCarWindows: cleanWindows.length,
      },
      types: {
        top1: typed.length ? typed.filter((o) => o.inspection.types[0] && truthTypes(o).has(o.inspection.types[0].type)).length / typed.length : null,
        photos: typed.length,
        majorityTop1: typed.length && majorityType ? typed.filter((o) => truthTypes(o).has(majorityType)).length / typed.length : null,
        majorityType,
        p5: mean(typedWindows.map((w) => w.typeMatches!)),
        randomP5: mean(typedWindows.flatMap((w) => { const r = randomMatch(w.types); return r === null ? [] : [r]; })),
        windows: typedWindows.length,
      },
      reliability: reliability(probabilities, actual),
      latencyMs: { p50: percentile(times, 0.5), p95: percentile(times, 0.95) },
    };
  };
  return [summarise('all', outcomes), ...sources.map((s) => summarise(s, outcomes.filter((o) => sourceOf(o.photo.id) === s)))];
}
