/**
 * THE contract between the renderer and the app: every channel's name, request and response, as zod schemas.
 * Electron's IPC handlers, the preload API, the HTTP bridge and the renderer's clients are all typed and
 * validated from this one module, so the two transports cannot drift apart.
 *
 * The data shapes the channels carry live in dtos.ts and are re-exported here. Imports only zod and plain data:
 * this module is bundled into the renderer and the preload script.
 */
import { z } from 'zod';
import {
  ZONE_VALUES,
  DAMAGE_TYPE_VALUES,
  PHASES,
  Zone,
  DamageType,
  Phase,
  PhotoState,
  Empty,
  ShapeDto,
  ProblemDto,
  PhotoSummaryDto,
  PhotoDetailDto,
  ScanSummaryDto,
  DatasetInfoDto,
  DatasetSourceDto,
  PhaseStateDto,
  PipelineStatusDto,
  CropDto,
  ContextDto,
  ModelInfoDto,
  DomainDto,
  CropCountsDto,
  RecentWorkspacesDto,
  WorkspaceSourceDto,
  WorkspaceSourcesDto,
  SourceRemovalDto,
} from './dtos';
import {
  SearchFiltersDto,
  SearchResultDto,
  SearchResponseDto,
  ImageInputDto,
  InspectedWindowDto,
  InspectionDto,
} from './search-dtos';

export {
  ContextDto,
  CropDto,
  DAMAGE_TYPE_VALUES,
  DatasetInfoDto,
  DatasetSourceDto,
  ModelInfoDto,
  PHASES,
  PhaseStateDto,
  PhotoDetailDto,
  PhotoSummaryDto,
  PipelineStatusDto,
  ProblemDto,
  ScanSummaryDto,
  ShapeDto,
  ZONE_VALUES,
  WorkspaceSourceDto,
  SourceRemovalDto,
} from './dtos';
export { InspectedWindowDto, InspectionDto, SearchFiltersDto, SearchResponseDto, SearchResultDto } from './search-dtos';

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
  /**
   * Opens a workspace the pipeline built: every dataset folder its workspace.json records (an older workspace: the
   * folders its crops.json names), merged as the pipeline merges them, so photo and crop ids match the CLI's and
   * the index's. Refused in plain words when the folder holds no pipeline output yet.
   */
  openWorkspace: { request: z.object({ path: z.string().min(1) }).strict(), response: DatasetInfoDto },
  /** What the service has open (null: nothing), so the renderer starts from the service's state, not its own. */
  currentDataset: { request: Empty, response: DatasetInfoDto.nullable() },
  scanSummary: { request: Empty, response: ScanSummaryDto },
  listPhotos: {
    request: z.object({
      state: PhotoState.optional(),
      zones: z.array(Zone).optional(),
      damageTypes: z.array(DamageType).optional(),
      withProblems: z.boolean().optional(),
      /** Only the photos of this source (its folder name, see DatasetInfo.sources). */
      source: z.string().min(1).optional(),
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
  /** Tokens of a text as the CLIP text tower counts them (the context editor's live count, before saving). */
  countTokens: {
    request: z.object({ text: z.string().max(10_000) }).strict(),
    response: z.object({ tokens: z.number(), limit: z.number() }),
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
  /** Zone names and damage-type descriptions of the domain (shared/docs/domain.md), for filter chips and cards. */
  domain: { request: Empty, response: DomainDto },
  /** Counts of the open workspace's searchable crops per filter value, for the Search screen's filter chips. */
  cropCounts: { request: Empty, response: CropCountsDto },
  /** Workspaces this app opened, newest first; those whose folder is gone are dropped from the list and named. */
  recentWorkspaces: { request: Empty, response: RecentWorkspacesDto },
  /** The open workspace's sources (workspace.json), each with its import settings and counts. */
  listSources: { request: Empty, response: WorkspaceSourcesDto },
  /**
   * Adds a dataset folder to the open workspace's sources, checked before anything is written (exists, is a folder,
   * has photos, label map and zone table valid); phase 1 then shows stale until it runs. labelMap/zones: files;
   * a bare name is taken from the dataset folder. Answers the workspace reopened with every source.
   */
  addSource: {
    request: z.object({
      path: z.string().min(1),
      state: PhotoState.optional(),
      labelMap: z.string().min(1).optional(),
      zones: z.string().min(1).optional(),
    }).strict(),
    response: DatasetInfoDto,
  },
  /**
   * Removes a source (its folder path or name): without `confirm`, only says what would go (nothing is written);
   * with it, removes the source and its crops (crops.json, contexts.json, image files). Embeddings, index and
   * validation then show stale. `dataset`: the workspace reopened, once removed.
   */
  removeSource: {
    request: z.object({ path: z.string().min(1), confirm: z.boolean() }).strict(),
    response: z.object({ removal: SourceRemovalDto, dataset: DatasetInfoDto.nullable() }),
  },
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
export type DatasetSource = z.infer<typeof DatasetSourceDto>;
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
export type DomainInfo = z.infer<typeof DomainDto>;
export type CropCounts = z.infer<typeof CropCountsDto>;
export type RecentWorkspaces = z.infer<typeof RecentWorkspacesDto>;
export type RecentWorkspace = RecentWorkspaces['workspaces'][number];
export type WorkspaceSourceInfo = z.infer<typeof WorkspaceSourceDto>;
export type SourceRemoval = z.infer<typeof SourceRemovalDto>;
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
