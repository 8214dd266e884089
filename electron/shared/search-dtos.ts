/**
 * The search and inspection shapes of the contract (see dtos.ts for the rest): filters, results, the parsed query,
 * a query photo and the region-level inspection answer. Only zod and plain data, like dtos.ts.
 */
import { z } from 'zod';
import { BBox, DamageType, Zone } from './dtos';

export const SearchFiltersDto = z.object({
  zones: z.array(Zone).optional(),
  hasDamage: z.boolean().optional(),
  damageTypes: z.array(DamageType).optional(),
});

const Vote = <T extends z.ZodType>(value: T) =>
  z.object({ value, confidence: z.number(), supporting: z.array(z.string()) });

export const SearchResultDto = z.object({
  rank: z.number(),
  score: z.number(),
  cropId: z.string(),
  cropPath: z.string(),
  sourceImage: z.string(),
  /** Absolute path of the source photo (for imageUrl), and the crop's region of it in upright source pixels. */
  sourcePath: z.string(),
  bbox: BBox,
  /** The source photo's upright size, the frame of bbox; null when it could not be read. */
  sourceSize: z.object({ width: z.number(), height: z.number() }).nullable(),
  zone: z.string().nullable(),
  damageTypes: z.array(DamageType),
  context: z.string().nullable(),
  hasDamage: z.boolean(),
});

/**
 * A text query read for zone, part, side, damage type and clean/damaged: proposed filters that lift matching
 * crops in the ranking (soft) until the user confirms one, which makes it a hard filter.
 */
export const QueryInterpretationDto = z.object({
  /** "zone 5 (rear bumper) · dent" */
  summary: z.string(),
  part: z.string().nullable(),
  /** Damage words read inside a negation ("scratches" in "without scratches"). */
  negated: z.array(z.string()),
  /** Why something the query says was not proposed ("no zone is a front bumper"). */
  notes: z.array(z.string()),
  proposals: z.array(
    z.object({
      kind: z.enum(['zone', 'damage_type', 'has_damage']),
      label: z.string(),
      /** The hard filter confirming it adds. */
      filters: SearchFiltersDto,
      /** The filters already decide this: the proposal lifts nothing. */
      confirmed: z.boolean(),
    }),
  ),
});

export const SearchResponseDto = z.object({
  results: z.array(SearchResultDto),
  /** Why the index searched is older than its inputs (it answers from the crops it was built on); null: up to date. */
  staleIndex: z.string().nullable().optional(),
  /** What the query text says (zone, part, damage type, clean/damaged); null without a text. */
  interpretation: QueryInterpretationDto.nullable().optional(),
  answer: z.object({
    hasDamage: Vote(z.boolean()).nullable(),
    damageTypes: z.array(Vote(DamageType)),
    zone: Vote(z.string()).nullable(),
    evidence: z.number(),
  }),
});

/** A query photo: base64 of a dropped/picked file (its name only words errors), or a path inside the workspace/dataset. */
export const ImageInputDto = z.union([
  // Empty bytes pass the contract so the service can say "the dropped file is empty" rather than a schema error.
  z.object({ bytesBase64: z.string().max(70_000_000), name: z.string().max(500).optional() }).strict(),
  z.object({ path: z.string().min(1) }).strict(),
]);

const TypeScoreDto = z.object({ type: DamageType, score: z.number() });

export const InspectedWindowDto = z.object({
  /** In the photo's upright pixels. */
  box: BBox,
  /** Learned damage score of the window, 0..1. */
  score: z.number(),
  /** score ≥ windowThreshold. */
  damaged: z.boolean(),
  /** Most likely damage types inside the window, by the type head. */
  types: z.array(TypeScoreDto),
  /** Share of the neighbours that are damaged crops (evidence, not the score); null without neighbours. */
  neighbourDamageShare: z.number().nullable(),
  /** The window's nearest crops under the request's filters, best first; cropPath is absolute (for imageUrl). */
  neighbours: z.array(SearchResultDto),
});

export const InspectionDto = z.object({
  /** The inspected photo (a drop is stored under the workspace's queries/), for imageUrl under the heatmap. */
  photoPath: z.string(),
  /** Upright size in pixels: the frame of car, window boxes and heatmap. */
  photo: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  /** The detector's car box; null when none was found (windows then cover the whole photo). */
  car: BBox.nullable(),
  damage: z.object({
    /** Calibrated P(damaged) of the photo. */
    probability: z.number().min(0).max(1),
    verdict: z.enum(['damaged', 'clean', 'uncertain']),
    /** Probabilities inside [low, high] are answered "uncertain". */
    uncertainBand: z.tuple([z.number(), z.number()]),
  }),
  /** Likely damage types of the photo, by the type head; empty when the verdict is clean. */
  types: z.array(TypeScoreDto),
  /** The neighbours' zone vote (the heads do not predict zones); null without neighbours. */
  zone: Vote(z.string()).nullable(),
  /** Best window first. */
  windows: z.array(InspectedWindowDto),
  /** Per-cell P(damage) over the whole photo, row-major: cell (q, r) covers x ∈ [q·W/cols, (q+1)·W/cols). */
  heatmap: z
    .object({ cols: z.number().int().positive(), rows: z.number().int().positive(), values: z.array(z.number().min(0).max(1)) })
    .refine((h) => h.values.length === h.cols * h.rows, { message: 'heatmap: values must hold cols × rows cells' }),
  windowThreshold: z.number(),
  /** Why there are no neighbours (no embeddings or index yet), when there are none; the heads still answer. */
  retrievalUnavailable: z.string().nullable(),
  timings: z.object({ locateMs: z.number(), analyseMs: z.number(), embedMs: z.number(), searchMs: z.number(), totalMs: z.number() }),
  models: z.object({ heads: z.string(), embedder: z.string().nullable() }),
});
