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

export const BBox = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

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
  format: z.enum(['seed', 'labelme', 'coco']),
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
  /** stale: its output is there but its input changed since it ran (workspace.json); staleReason says how. */
  status: z.enum(['idle', 'queued', 'running', 'done', 'stale', 'failed', 'cancelled', 'unavailable']),
  done: z.number(),
  total: z.number(),
  current: z.string().nullable(),
  /** Outcome or error in one line. */
  message: z.string().nullable(),
  /** Per-file problems of the last run. */
  problems: z.array(z.object({ file: z.string(), message: z.string() })),
  /** Why a stale phase is stale, e.g. "inputs changed: crops were re-cut after this index was built". */
  staleReason: z.string().nullable().optional(),
});

export const PipelineStatusDto = z.object({
  running: z.boolean(),
  phases: z.array(PhaseStateDto),
  /** Said instead of an error when a run was asked for while one is going (a double click): that run goes on. */
  notice: z.string().nullable().optional(),
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

export const ModelInfoDto = z.object({
  modelId: z.string().nullable(),
  provider: z.string().nullable(),
  dim: z.number().nullable(),
  /** Why the model is not known, when it is not. */
  note: z.string().nullable(),
});

/** A vehicle zone of shared/docs/domain.md: the renderer names zones with these, never with its own copy. */
export const ZoneInfoDto = z.object({ id: Zone, name: z.string(), description: z.string(), area: z.string() });
export const DomainDto = z.object({
  zones: z.array(ZoneInfoDto),
  damageTypes: z.array(z.object({ type: DamageType, description: z.string() })),
});

/** How many of the open workspace's crops search can return (not rejected) fall under each filter value. */
export const CropCountsDto = z.object({
  total: z.number(),
  damaged: z.number(),
  clean: z.number(),
  /** By zone "1".."10"; crops of unknown zone under "unknown". */
  zones: z.record(z.string(), z.number()),
  damageTypes: z.record(z.string(), z.number()),
});

/** A workspace the app opened: one the pipeline built (dataset null), or a dataset folder with how it was read. */
export const RecentWorkspaceDto = z.object({
  workspace: z.string(),
  dataset: z
    .object({
      path: z.string(),
      options: z.object({ labelMap: z.string().optional(), zones: z.string().optional(), state: PhotoState.optional() }),
    })
    .nullable(),
  openedAt: z.string(),
});

export const RecentWorkspacesDto = z.object({
  workspaces: z.array(RecentWorkspaceDto),
  /** Entries taken off the list because their folder no longer exists. */
  dropped: z.array(z.string()),
  /** Why the stored list could not be read, when it could not. */
  note: z.string().nullable(),
});

/** A dataset folder of the open workspace (workspace.json), with how it is read and what phase 1 made of it. */
export const WorkspaceSourceDto = z.object({
  /** The folder name: the photo-id prefix when the workspace has several sources. */
  name: z.string(),
  path: z.string(),
  /** Every photo's state as imported; null: from the annotations (damage shapes ⇒ damaged). */
  state: PhotoState.nullable(),
  /** null: the folder's own labelmap.json / zones.csv, if any. */
  labelMap: z.string().nullable(),
  zones: z.string().nullable(),
  addedAt: z.string().nullable(),
  /** Photos read from the folder now, by state. */
  photos: z.number(),
  damaged: z.number(),
  undamaged: z.number(),
  /** What crops.json holds of it: the crops and the photos phase 1 visited. */
  crops: z.number(),
  croppedPhotos: z.number(),
});

export const WorkspaceSourcesDto = z.object({ sources: z.array(WorkspaceSourceDto) });

/** What removing a source takes away (asked first, then confirmed). */
export const SourceRemovalDto = z.object({
  name: z.string(),
  path: z.string(),
  photos: z.number(),
  crops: z.number(),
  /** Review decisions on those crops: kept in the journal, reported as orphaned. */
  reviewDecisions: z.number(),
  /** false: only the plan (nothing was written); true: done. */
  removed: z.boolean(),
});
