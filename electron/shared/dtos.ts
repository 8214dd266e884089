/**
 * The contract's data shapes: every DTO the channels of ipc-contract.ts carry, as zod schemas. Imports only zod and
 * plain data, like the contract, since both are bundled into the renderer and the preload script.
 */
import { z } from 'zod';
import { CROP_ORIGINS } from '../core/crops/crop-record';
import { DAMAGE_TYPES } from '../core/domain/damage-types';

export const ZONE_VALUES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] as const;
// The domain table is plain data with no Node dependency, so the renderer and preload bundles can share it.
export const DAMAGE_TYPE_VALUES = DAMAGE_TYPES;
/** Pipeline phases 1-5 in order. */
export const PHASES = ['crops', 'contexts', 'embeddings', 'index', 'validation'] as const;

export const Zone = z.enum(ZONE_VALUES);
export const DamageType = z.enum(DAMAGE_TYPE_VALUES);
export const Phase = z.enum(PHASES);
export const PhotoState = z.enum(['damaged', 'undamaged']);
export const Empty = z.object({}).strict();

const BBox = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const ShapeDto = z.object({
  label: z.string(),
  damageType: DamageType.nullable(),
  shapeType: z.string(),
  points: z.array(z.tuple([z.number(), z.number()])),
  bbox: BBox,
});

export const ProblemDto = z.object({
  file: z.string(),
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
});

export const PhotoSummaryDto = z.object({
  id: z.string(),
  fileName: z.string(),
  imagePath: z.string(),
  state: PhotoState,
  zone: Zone.nullable(),
  width: z.number(),
  height: z.number(),
  damageTypes: z.array(DamageType),
  damageShapes: z.number(),
  problems: z.number(),
});

export const PhotoDetailDto = PhotoSummaryDto.extend({
  shapes: z.array(ShapeDto),
  problemList: z.array(ProblemDto),
});

export const ScanSummaryDto = z.object({
  root: z.string(),
  format: z.enum(['seed', 'labelme']),
  photos: z.number(),
  states: z.object({ damaged: z.number(), undamaged: z.number() }),
  zones: z.record(z.string(), z.number()),
  damageTypes: z.record(z.string(), z.object({ shapes: z.number(), photos: z.number() })),
  problems: z.object({ errors: z.number(), warnings: z.number(), byCode: z.record(z.string(), z.number()) }),
  /** Problems of files that are no photo (a photo's own problems come with getPhoto). */
  datasetProblems: z.array(ProblemDto),
});

/** A dataset folder of what is open: its folder name (the photo-id prefix when there are several), path and photos. */
export const DatasetSourceDto = z.object({ name: z.string(), path: z.string(), photos: z.number() });

export const DatasetInfoDto = z.object({
  /** The dataset folder; for a workspace of several sources, their paths comma-joined (as crops.json names them). */
  root: z.string(),
  workspace: z.string(),
  summary: ScanSummaryDto,
  /** 'dataset': one folder opened with openDataset; 'workspace': a workspace's sources, merged as the pipeline does. */
  kind: z.enum(['dataset', 'workspace']),
  sources: z.array(DatasetSourceDto),
});

export const PhaseStateDto = z.object({
  phase: Phase,
  status: z.enum(['idle', 'queued', 'running', 'done', 'failed', 'cancelled', 'unavailable']),
  done: z.number(),
  total: z.number(),
  current: z.string().nullable(),
  /** Outcome or error in one line. */
  message: z.string().nullable(),
  /** Per-file problems of the last run. */
  problems: z.array(z.object({ file: z.string(), message: z.string() })),
});

export const PipelineStatusDto = z.object({
  running: z.boolean(),
  phases: z.array(PhaseStateDto),
});

export const CropDto = z.object({
  cropId: z.string(),
  /** Relative to the workspace. */
  cropPath: z.string(),
  sourceImage: z.string(),
  sourcePath: z.string(),
  hasDamage: z.boolean(),
  zone: Zone.nullable(),
  cropType: z.enum(['clustered', 'grid']),
  /** Defect cluster, grid of an undamaged photo, or clean window of a damaged photo. */
  origin: z.enum(CROP_ORIGINS),
  bbox: BBox,
  damageTypes: z.array(DamageType),
  context: z.string().nullable(),
  rejected: z.boolean(),
});

export const ContextDto = z.object({
  cropId: z.string(),
  text: z.string(),
  edited: z.boolean(),
  tokens: z.number(),
  limit: z.number(),
  /** What happened to the index on save (null on read). */
  reindexed: z.string().nullable(),
});

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

export const SearchResponseDto = z.object({
  results: z.array(SearchResultDto),
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

export const ModelInfoDto = z.object({
  modelId: z.string().nullable(),
  provider: z.string().nullable(),
  dim: z.number().nullable(),
  /** Why the model is not known, when it is not. */
  note: z.string().nullable(),
});
