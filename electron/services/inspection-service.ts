import type { CarLocator } from '../core/detector/car-locator';
import type { InspectorParts, PhotoInspection } from '../core/inspection/inspect';
import type { DamageModel } from '../core/learning/damage-model';
import type { Inspection, SearchFilters } from '../shared/ipc-contract';
import { LiveRetrieval } from './live-retrieval';
import { SharedSlot } from './shared-slot';
import { BadImageError } from './query-image';
import { indexFilters, searchResultDto, withSourceSizes } from './search-view';

/** The damage heads and the car locator, opened for one workspace. */
interface Models {
  damageModel: DamageModel;
  locator: CarLocator;
  dispose(): Promise<void>;
}

export interface InspectOptions {
  /** Neighbours per window (default 5). */
  k?: number;
  filters?: SearchFilters;
  /** How errors name the photo (default "the photo"). */
  photoName?: string;
}

/**
 * Inspections of dropped photos for one open workspace. Opening the heads and the car locator costs about a second,
 * so they are kept between calls and reopened when the workspace changes. The neighbours come from the live index
 * and query embedder held by LiveRetrieval (shared with search), which follow the index's generation switches (a
 * phase 4 run, a reject, a context edit); a call in flight keeps what it started with.
 */
export class InspectionService {
  /** Keyed by workspace: a failed open is not kept, so the next call tries again (the heads may have been trained meanwhile). */
  private readonly models = new SharedSlot<Models>((models) => models.dispose());

  /** `retrieval`: shared with the search service in the app, so the index and embedder are held once. */
  constructor(private readonly retrieval = new LiveRetrieval()) {}

  async inspect(workspace: string, photoPath: string, options: InspectOptions = {}): Promise<Inspection> {
    const { inspectPhoto } = await import('../core/inspection/inspect');
    const { resource: models, release } = await this.models.acquire(workspace, () => openModels(workspace));
    // Without embeddings or an index the heads still answer, and the answer says why there are no neighbours.
    const retrieval = await this.retrieval.lease(workspace).catch((error: Error) => error);
    try {
      const parts: InspectorParts = {
        damageModel: models.damageModel,
        locator: models.locator,
        retrieval: retrieval instanceof Error ? null : { embedder: retrieval.query, retriever: retrieval.retriever },
      };
      let result: PhotoInspection;
      try {
        result = await inspectPhoto(photoPath, parts, { k: options.k ?? 5, filters: indexFilters(options.filters) });
      } catch (error) {
        // A header that reads but pixels that do not decode (a truncated or damaged file) is the file's fault.
        const problem = await decodeProblem(photoPath);
        if (problem) throw new BadImageError(`${options.photoName ?? 'the photo'} could not be decoded, the file may be truncated or damaged (${problem})`);
        throw error;
      }
      const dto = inspectionDto(result, photoPath, workspace, retrieval instanceof Error ? retrieval.message : null);
      // The neighbours' source photo sizes: the frame their boxes are drawn in on the cards.
      const windows = await Promise.all(dto.windows.map(async (w) => ({ ...w, neighbours: await withSourceSizes(w.neighbours) })));
      return { ...dto, windows };
    } finally {
      if (!(retrieval instanceof Error)) retrieval.release();
      release();
    }
  }

  /** Disposes the heads and the locator (workspace changed or closed); a call in flight finishes first. */
  async close(): Promise<void> {
    await this.models.close();
  }
}

/** The heads (from the workspace's model cache) and the car locator (detector box only: the heads judge every cell). */
async function openModels(workspace: string): Promise<Models> {
  const { loadDamageModel } = await import('../core/learning/damage-model');
  const { createCarLocator } = await import('../core/detector');
  const { workspacePaths } = await import('../core/workspace/workspace');
  const damageModel = await loadDamageModel(undefined, workspacePaths(workspace).modelCache);
  const locator = await createCarLocator({ mask: false }).catch(async (error: unknown) => {
    await damageModel.dispose();
    throw error;
  });
  return {
    damageModel,
    locator,
    async dispose() {
      await Promise.all([damageModel.dispose(), locator.dispose()]);
    },
  };
}

/** Why the photo's pixels do not decode, or null when they do. */
async function decodeProblem(path: string): Promise<string | null> {
  const sharp = (await import('sharp')).default;
  return sharp(path).raw().toBuffer().then(
    () => null,
    (error: Error) => error.message.split('\n')[0]!,
  );
}

/** The core's answer as the renderer gets it: camelCase, neighbours like search results, the photo's own path. */
export function inspectionDto(r: PhotoInspection, photoPath: string, workspace: string, retrievalUnavailable: string | null): Inspection {
  return {
    photoPath,
    photo: r.photo,
    car: r.car,
    damage: { probability: r.damage.probability, verdict: r.damage.verdict, uncertainBand: [r.damage.uncertainBand[0], r.damage.uncertainBand[1]] },
    types: r.types,
    zone: r.zone,
    windows: r.windows.map((w) => ({
      box: w.box,
      score: w.score,
      damaged: w.damaged,
      types: w.types,
      neighbourDamageShare: w.neighbourDamageShare,
      neighbours: w.neighbours.map((n) => searchResultDto(n, workspace)),
    })),
    heatmap: r.heatmap,
    windowThreshold: r.windowThreshold,
    retrievalUnavailable: r.models.embedder === null ? (retrievalUnavailable ?? 'no neighbours') : null,
    timings: r.timings,
    models: r.models,
  };
}
