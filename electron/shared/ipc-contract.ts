/**
 * THE contract between the renderer and the app: every channel's name, request and response, as zod schemas.
 * Electron's IPC handlers, the preload API, the HTTP bridge and the renderer's clients are all typed and
 * validated from this one module, so the two transports cannot drift apart.
 *
 * Imports only zod and plain data (the domain tables, the crop origins; crop-record.ts imports nothing else at run
 * time): this module is bundled into the renderer and the preload script.
 */
import { z } from 'zod';
import { CROP_ORIGINS } from '../core/crops/crop-record';
import { DAMAGE_TYPES } from '../core/domain/damage-types';

export const ZONE_VALUES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] as const;
// The domain table is plain data with no Node dependency, so the renderer and preload bundles can share it.
export const DAMAGE_TYPE_VALUES = DAMAGE_TYPES;
/** Pipeline phases 1-5 in order. */
export const PHASES = ['crops', 'contexts', 'embeddings', 'index', 'validation'] as const;

const Zone = z.enum(ZONE_VALUES);
const DamageType = z.enum(DAMAGE_TYPE_VALUES);
const Phase = z.enum(PHASES);
const PhotoState = z.enum(['damaged', 'undamaged']);
const Empty = z.object({}).strict();

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

export const DatasetInfoDto = z.object({
  root: z.string(),
  workspace: z.string(),
  summary: ScanSummaryDto,
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
const ImageInputDto = z.union([
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

/** Every request/response pair, by channel name. */
export const CHANNELS = {
  openDataset: {
    request: z.object({
      path: z.string().min(1),
      /**
       * How to read a plain LabelMe folder (a seed-convention folder names its state, map and zones itself).
       * labelMap/zones: files; relative paths are taken from the dataset folder. state: of every photo; absent,
       * a photo with damage shapes is damaged. workspace: where the phases write; absent, the app's default.
       */
      options: z
        .object({
          labelMap: z.string().min(1).optional(),
          zones: z.string().min(1).optional(),
          state: PhotoState.optional(),
          workspace: z.string().min(1).optional(),
        })
        .strict()
        .optional(),
    }).strict(),
    response: DatasetInfoDto,
  },
  scanSummary: { request: Empty, response: ScanSummaryDto },
  listPhotos: {
    request: z.object({
      state: PhotoState.optional(),
      zones: z.array(Zone).optional(),
      damageTypes: z.array(DamageType).optional(),
      withProblems: z.boolean().optional(),
      offset: z.number().int().nonnegative().optional(),
      limit: z.number().int().positive().max(100_000).optional(),
    }).strict(),
    response: z.object({ total: z.number(), photos: z.array(PhotoSummaryDto) }),
  },
  getPhoto: { request: z.object({ id: z.string().min(1) }).strict(), response: PhotoDetailDto },
  runPhase: {
    request: z.object({ phase: z.union([Phase, z.literal('all')]) }).strict(),
    response: PipelineStatusDto,
  },
  cancel: { request: Empty, response: z.object({ cancelled: z.boolean() }) },
  pipelineStatus: { request: Empty, response: PipelineStatusDto },
  listCrops: {
    request: z.object({
      photoId: z.string().optional(),
      hasDamage: z.boolean().optional(),
      includeRejected: z.boolean().optional(),
    }).strict(),
    response: z.object({ crops: z.array(CropDto) }),
  },
  setCropRejected: {
    request: z.object({ cropId: z.string().min(1), rejected: z.boolean() }).strict(),
    response: CropDto,
  },
  getContext: { request: z.object({ cropId: z.string().min(1) }).strict(), response: ContextDto },
  saveContext: {
    request: z.object({ cropId: z.string().min(1), text: z.string().max(10_000) }).strict(),
    response: ContextDto,
  },
  search: {
    request: z.object({
      image: ImageInputDto.optional(),
      text: z.string().max(2_000).optional(),
      filters: SearchFiltersDto.optional(),
      k: z.number().int().min(1).max(200).optional(),
    }).strict(),
    response: SearchResponseDto,
  },
  /**
   * Is there damage on one photo, of what type, where: the damage heads' calibrated answer, a heatmap, the windows
   * that carry it and each window's nearest crops under the filters (which narrow the evidence, never the answer).
   */
  inspect: {
    request: z.object({
      image: ImageInputDto,
      filters: SearchFiltersDto.optional(),
      /** Neighbours per window. */
      k: z.number().int().min(1).max(50).optional(),
    }).strict(),
    response: InspectionDto,
  },
  modelInfo: { request: Empty, response: ModelInfoDto },
  /** Phase 5's report.html in the open workspace, when it has been written. */
  validationReport: { request: Empty, response: z.object({ path: z.string().nullable() }) },
} as const;

export type Channel = keyof typeof CHANNELS;
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];
export type Request<C extends Channel> = z.input<(typeof CHANNELS)[C]['request']>;
export type ParsedRequest<C extends Channel> = z.output<(typeof CHANNELS)[C]['request']>;
export type Response<C extends Channel> = z.infer<(typeof CHANNELS)[C]['response']>;

/** The API the renderer sees: one async method per channel. */
export type CarLensApi = { [C in Channel]: (request: Request<C>) => Promise<Response<C>> } & {
  /** Pipeline progress; returns the unsubscribe function. */
  onPipeline(listener: (status: PipelineStatus) => void): () => void;
  /** URL of an image inside the workspace or dataset, for <img src>; `width` asks for a thumbnail that wide. */
  imageUrl(path: string, width?: number): string;
  /** Application-menu commands (Electron only; the browser has no app menu). */
  onMenu(listener: (action: MenuAction) => void): () => void;
  /**
   * Shows phase 5's report.html of the open workspace: a new browser tab over the bridge, the system's
   * HTML viewer in Electron (whose window opens no other window). Rejects when there is no report.
   */
  openValidationReport(): Promise<void>;
};

/** What the application menu asks the renderer to do; the renderer then calls the API like any UI action. */
export type MenuAction =
  | { kind: 'openDataset'; path: string }
  | { kind: 'runPhase'; phase: PhaseName | 'all' }
  | { kind: 'cancel' }
  | { kind: 'showScreen'; screen: 'dataset' | 'crops' | 'contexts' | 'search' | 'pipeline' };

export type ShapeDto = z.infer<typeof ShapeDto>;
export type ProblemDto = z.infer<typeof ProblemDto>;
export type PhotoSummary = z.infer<typeof PhotoSummaryDto>;
export type PhotoDetail = z.infer<typeof PhotoDetailDto>;
export type ScanSummaryDto = z.infer<typeof ScanSummaryDto>;
export type DatasetInfo = z.infer<typeof DatasetInfoDto>;
export type PhaseState = z.infer<typeof PhaseStateDto>;
export type PipelineStatus = z.infer<typeof PipelineStatusDto>;
export type CropDto = z.infer<typeof CropDto>;
export type ContextDto = z.infer<typeof ContextDto>;
export type SearchFilters = z.infer<typeof SearchFiltersDto>;
export type SearchResult = z.infer<typeof SearchResultDto>;
export type SearchResponse = z.infer<typeof SearchResponseDto>;
export type Inspection = z.infer<typeof InspectionDto>;
export type InspectedWindow = z.infer<typeof InspectedWindowDto>;
export type ModelInfo = z.infer<typeof ModelInfoDto>;
export type PhaseName = (typeof PHASES)[number];
export type ZoneValue = (typeof ZONE_VALUES)[number];
export type DamageTypeValue = (typeof DAMAGE_TYPE_VALUES)[number];

/** Electron IPC channel name of a contract channel (namespaced so nothing else collides). */
export const ipcChannel = (channel: Channel): string => `carlens:${channel}`;
export const PIPELINE_EVENT = 'carlens:pipeline';
export const MENU_EVENT = 'carlens:menu';
/** Electron IPC of openValidationReport: main opens the workspace's report itself, the renderer names no path. */
export const OPEN_REPORT_IPC = 'carlens:open-validation-report';
/** Bridge route of the workspace's report.html (no query: the path is the workspace's, never the caller's). */
export const REPORT_ROUTE = '/report';
/** Thumbnail widths the image endpoints serve (anything else is refused, so the cache stays small). */
export const THUMB_WIDTHS = [256, 512] as const;

/** Query string of an image URL, shared by the HTTP bridge and the Electron protocol. */
export const imageQuery = (path: string, width?: number): string =>
  `path=${encodeURIComponent(path)}${width === undefined ? '' : `&w=${width}`}`;

/** Custom protocol that serves workspace/dataset images in Electron. */
export const IMAGE_PROTOCOL = 'carlens-img';

/** Parses a request, throwing an error that names the channel and the bad fields. */
export function parseRequest<C extends Channel>(channel: C, raw: unknown): ParsedRequest<C> {
  const schema = CHANNELS[channel]?.request;
  if (!schema) throw new ContractError(`unknown channel '${String(channel)}'`);
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new ContractError(`${channel}: invalid request (${z.prettifyError(parsed.error)})`);
  return parsed.data as ParsedRequest<C>;
}

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(CHANNELS, name);
}

/** A request the contract refused: the caller's fault, reported as 400 by the bridge. */
export class ContractError extends Error {
  override name = 'ContractError';
}
