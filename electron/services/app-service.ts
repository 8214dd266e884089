import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { WorkspaceSource } from '../core/workspace/manifest';
import {
  CHANNELS,
  PHASES,
  THUMB_WIDTHS,
  parseRequest,
  type Channel,
  type DatasetInfo,
  type ParsedRequest,
  type PipelineStatus,
  type Response,
} from '../shared/ipc-contract';
import { ContextService, readContextsFile } from './context-service';
import { cropDto } from './crops-view';
import { DatasetView } from './dataset-view';
import { diskPhaseStates } from './disk-status';
import { cropCounts, domainInfo } from './filter-facets';
import { InspectionService } from './inspection-service';
import { LiveRetrieval } from './live-retrieval';
import { modelInfo } from './model-info';
import { fullFolderPath, loadFormDataset } from './open-checks';
import { PathRefusedError, resolveInside } from './path-guard';
import { PHASE_IMPLS, type PhaseImpl } from './phases';
import { PipelineRunner } from './pipeline-runner';
import { storeQueryImage } from './query-image';
import { alreadyRunning } from './readiness';
import { RecentWorkspaces } from './recent-workspaces';
import { WorkspaceEdits } from './workspace-edits';
import { datasetInfo, openWorkspaceFolder } from './workspace-open';
import { setCropRejected } from './review-decision';
import { SearchService } from './search-service';
import { sourceHandlers } from './source-service';

export interface AppServiceOptions {
  /** Workspace used when openDataset names none (default ./workspace beside the process). */
  defaultWorkspace?: string;
  /** Phase implementations (default: the core's). */
  phases?: Record<(typeof PHASES)[number], PhaseImpl | null>;
  /** The app's state folder, where it remembers the workspaces it opened (see RecentWorkspaces); absent: none kept. */
  stateDir?: string;
}

interface OpenState {
  view: DatasetView;
  workspace: string;
  info: DatasetInfo;
  /** An opened workspace's sources as phase 1 read them (absent for a dataset folder opened alone). */
  sources?: WorkspaceSource[];
}

type Handlers = { [C in Channel]: (request: ParsedRequest<C>) => Promise<Response<C>> };

/**
 * The application behind both transports (Electron IPC and the HTTP bridge): holds the open dataset and its
 * workspace, runs phases, and answers every contract channel. Plain Node; knows nothing of Electron or HTTP.
 */
export class AppService {
  private open: OpenState | null = null;
  readonly runner: PipelineRunner;
  private readonly defaultWorkspace: string;
  /** The open workspace's index and query embedder, held once for search, inspection and reviews. */
  private readonly retrieval = new LiveRetrieval();
  private readonly contexts = new ContextService(this.retrieval);
  private readonly inspection = new InspectionService(this.retrieval);
  /** Review edits, one at a time per workspace (see WorkspaceEdits). */
  private readonly edits = new WorkspaceEdits();
  private readonly searches = new SearchService(this.retrieval);
  private readonly recent: RecentWorkspaces;

  constructor(options: AppServiceOptions = {}) {
    this.defaultWorkspace = resolve(options.defaultWorkspace ?? 'workspace');
    this.runner = new PipelineRunner(options.phases ?? PHASE_IMPLS);
    this.recent = new RecentWorkspaces(options.stateDir ?? null);
  }

  /** Validates a raw request against the contract, runs it and validates the response too. */
  async call<C extends Channel>(channel: C, raw: unknown): Promise<Response<C>> {
    const request = parseRequest(channel, raw);
    const handler = this.handlers[channel] as (r: ParsedRequest<C>) => Promise<Response<C>>;
    const response = await handler(request);
    // A response that breaks the contract is our bug: fail loudly here rather than in the renderer.
    return CHANNELS[channel].response.parse(response) as Response<C>;
  }

  onPipeline(listener: (status: PipelineStatus) => void): () => void {
    return this.runner.subscribe(listener);
  }

  /** Folders whose files the renderer may read: the workspace and the dataset folder(s). */
  allowedRoots(): string[] {
    return this.open ? [this.open.workspace, ...this.open.view.sources.map((s) => s.path)] : [];
  }

  /** Makes `next` the open dataset/workspace; the Pipeline screen then starts from that workspace's files. */
  private async setOpen(next: OpenState): Promise<DatasetInfo> {
    // The heads, the index and the query embedder of the previous workspace are let go.
    if (this.open && this.open.workspace !== next.workspace) {
      await this.inspection.close();
      await this.retrieval.close();
    }
    this.runner.reset(await diskPhaseStates(next.workspace));
    this.open = next;
    return next.info;
  }

  /** A renderer-supplied image path, resolved and checked to lie in the workspace or dataset. */
  resolveImage(path: string): Promise<string> {
    return resolveInside(this.allowedRoots(), path, { imagesOnly: true });
  }

  /**
   * An image for the renderer, after the same path check: the file itself, or a JPEG thumbnail of one of
   * THUMB_WIDTHS (the grid shows hundreds of photos; full-size camera images would be decoded for each).
   */
  async image(path: string, width?: string | null): Promise<{ file: string } | { bytes: Buffer; type: 'image/jpeg' }> {
    const file = await this.resolveImage(path);
    if (width === undefined || width === null) return { file };
    const w = Number(width);
    if (!(THUMB_WIDTHS as readonly number[]).includes(w)) throw new PathRefusedError(`thumbnail width must be one of ${THUMB_WIDTHS.join(', ')}`);
    const sharp = (await import('sharp')).default;
    const bytes = await sharp(file).rotate().resize({ width: w, withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
    return { bytes, type: 'image/jpeg' };
  }

  private requireOpen(): OpenState {
    if (!this.open) throw new Error('no dataset is open: open one first');
    return this.open;
  }

  private readonly handlers: Handlers = {
    openDataset: async ({ path: typed, options = {} }) => {
      if (this.runner.status().running) throw new Error('a pipeline run is in progress; cancel it before opening another dataset');
      const { summarizeDataset } = await import('../core/dataset/summary');
      const { path, dataset, read } = await loadFormDataset(typed, options);
      const workspace = options.workspace === undefined ? this.defaultWorkspace : await fullFolderPath(options.workspace, 'workspace');
      await mkdir(workspace, { recursive: true });
      const view = new DatasetView(dataset, summarizeDataset(dataset));
      const info = await this.setOpen({ view, workspace, info: datasetInfo(view, workspace, 'dataset') });
      await this.remember({ workspace, dataset: { path, options: read } });
      return info;
    },
    openWorkspace: async ({ path }) => {
      if (this.runner.status().running) throw new Error('a pipeline run is in progress; cancel it before opening another workspace');
      const info = await this.setOpen(await openWorkspaceFolder(await fullFolderPath(path, 'workspace')));
      await this.remember({ workspace: info.workspace, dataset: null });
      return info;
    },
    recentWorkspaces: async () => this.recent.list(),
    currentDataset: async () => this.open?.info ?? null,

    scanSummary: async () => this.requireOpen().view.scanSummary(),
    listPhotos: async (filter) => this.requireOpen().view.listPhotos(filter),
    getPhoto: async ({ id }) => this.requireOpen().view.photo(id),

    runPhase: async ({ phase }) => {
      const { view, workspace, sources } = this.requireOpen();
      // Edits already queued finish first; later ones see the run and are refused.
      await this.edits.drained(workspace);
      // Checked after the wait, with no await before start: two requests at once cannot both start a run.
      const running = alreadyRunning(this.runner.status());
      if (running) return running;
      return this.runner.start(phase === 'all' ? PHASES : [phase], { dataset: view.dataset, workspace, sources });
    },
    cancel: async () => ({ cancelled: this.runner.cancel() }),
    pipelineStatus: async () => this.runner.status(),

    listCrops: async ({ photoId, hasDamage, includeRejected }) => {
      const { workspace } = this.requireOpen();
      const records = await this.readCrops();
      // Texts come from phase 2's file; the review state (rejected) from crops.json, which phase 2 does not own.
      const texts = new Map((await readContextsFile(workspace))?.crops.map((c) => [c.crop_id, c.text_description]));
      for (const r of records) r.text_description = texts.get(r.crop_id) ?? r.text_description;
      return {
        crops: records
          .filter((r) => (photoId === undefined || r.source_image === photoId) && (hasDamage === undefined || r.has_damage === hasDamage) && (includeRejected !== false || !r.rejected))
          .map((r) => cropDto(r, workspace)),
      };
    },

    setCropRejected: async ({ cropId, rejected }) => {
      const { workspace } = this.requireOpen();
      return this.edits.run(workspace, `CarLens app: ${rejected ? 'reject' : 'accept'} crop ${cropId}`, () => {
        if (this.runner.status().running) throw new Error('the pipeline is running; review crops when it has finished');
        return setCropRejected(workspace, cropId, rejected, this.retrieval);
      });
    },

    getContext: async ({ cropId }) => this.contexts.get(this.requireOpen().workspace, cropId),
    saveContext: async ({ cropId, text }) => {
      const { workspace } = this.requireOpen();
      return this.edits.run(workspace, `CarLens app: context edit (crop ${cropId})`, async () => {
        if (this.runner.status().running) throw new Error('the pipeline is running; edit contexts when it has finished');
        return this.contexts.save(workspace, cropId, text);
      });
    },

    countTokens: async ({ text }) => this.contexts.count(text),

    search: async (request) => {
      const { workspace } = this.requireOpen();
      if (!request.image && !request.text?.trim()) throw new Error('search needs a photo, a text, or both');
      // A bad photo is said first: it stays wrong once the index is built.
      const imagePath = request.image ? await this.queryImage(workspace, request.image) : undefined;
      return this.searches.search(workspace, request, imagePath);
    },

    inspect: async ({ image, filters, k }) => {
      const { workspace } = this.requireOpen();
      const photoName = 'path' in image ? image.path : `the dropped file${image.name ? ` ${image.name}` : ''}`;
      return this.inspection.inspect(workspace, await this.queryImage(workspace, image), { k, filters, photoName });
    },

    modelInfo: async () => modelInfo(this.open?.workspace ?? null),
    validationReport: async () => ({ path: await this.validationReportFile().catch(() => null) }),
    domain: async () => domainInfo(),
    ...sourceHandlers({
      open: () => this.requireOpen(),
      running: () => this.runner.status().running,
      edit: (workspace, what, change) => this.edits.run(workspace, what, change),
      reopen: async (workspace) => this.setOpen(await openWorkspaceFolder(workspace)),
    }),
    cropCounts: async () => (this.open ? cropCounts(await this.readCrops()) : { total: 0, damaged: 0, clean: 0, zones: {}, damageTypes: {} }),
  };

  /**
   * Phase 5's report.html of the open workspace, through the same path guard as images (a report swapped for
   * a symlink out of the workspace is refused). Throws when no dataset is open or no report is written yet.
   */
  async validationReportFile(): Promise<string> {
    const { workspace } = this.requireOpen();
    const { validationReportPaths } = await import('../core/validation');
    const { html } = validationReportPaths(workspace);
    if (!existsSync(html)) throw new Error(`no validation report in ${workspace}: run phase 5 (validation) first`);
    return resolveInside([workspace], html);
  }

  /** Adds an opened workspace to the recent list; a list that cannot be written costs the shortcut, not the open. */
  private async remember(entry: Parameters<RecentWorkspaces['remember']>[0]): Promise<void> {
    await this.recent.remember(entry).catch((error: Error) => console.warn(`CarLens: the recent workspaces list was not updated: ${error.message}`));
  }

  /** Stops a run and releases the query embedder's and the inspector's ONNX sessions. */
  async dispose(): Promise<void> {
    this.runner.cancel();
    await this.runner.current;
    await this.inspection.close();
    await this.retrieval.close();
  }

  private async readCrops() {
    const { readCropsMetadata } = await import('../core/crops');
    const { workspacePaths } = await import('../core/workspace/workspace');
    const metadata = await readCropsMetadata(workspacePaths(this.requireOpen().workspace).cropsMetadata);
    return metadata?.crops ?? [];
  }

  /** A query photo's file: a drop stored in the workspace (see storeQueryImage), or a path through the guard. */
  private queryImage(workspace: string, image: { bytesBase64: string; name?: string } | { path: string }): Promise<string> {
    return 'path' in image ? this.resolveImage(image.path) : storeQueryImage(workspace, Buffer.from(image.bytesBase64, 'base64'), image.name);
  }
}
