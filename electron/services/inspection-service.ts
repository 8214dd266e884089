import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhotoInspection } from '../core/inspection/inspect';
import type { OpenedInspector } from '../core/inspection/parts';
import type { Inspection, SearchFilters } from '../shared/ipc-contract';
import { BadImageError } from './query-image';
import { indexFilters, searchResultDto, withSourceSizes } from './search-view';

/** One opened inspector and the calls using it; a retired one is disposed when its last call has ended. */
interface Held {
  workspace: string;
  /** The index generation and embeddings it was opened on (see generationKey). */
  key: string;
  opened: Promise<OpenedInspector>;
  users: number;
  retired: boolean;
}

export interface InspectOptions {
  /** Neighbours per window (default 5). */
  k?: number;
  filters?: SearchFilters;
  /** How errors name the photo (default "the photo"). */
  photoName?: string;
}

/**
 * Inspections of dropped photos for one open workspace. Opening the heads, the car locator and the query embedder
 * costs about a second, so the inspector is kept between calls; it is reopened when the workspace changes or the
 * index switches generation (a phase 4 run, a reject, a context edit), which the `index/current` pointer and the
 * embeddings' generation_info.json say cheaply on every call. A call in flight keeps the inspector it started with.
 */
export class InspectionService {
  private held: Held | null = null;
  private readonly disposing = new Set<Promise<void>>();

  async inspect(workspace: string, photoPath: string, options: InspectOptions = {}): Promise<Inspection> {
    const { inspectPhoto } = await import('../core/inspection/inspect');
    const { held, inspector } = await this.lease(workspace);
    try {
      let result: PhotoInspection;
      try {
        result = await inspectPhoto(photoPath, inspector, { k: options.k ?? 5, filters: indexFilters(options.filters) });
      } catch (error) {
        // A header that reads but pixels that do not decode (a truncated or damaged file) is the file's fault.
        const problem = await decodeProblem(photoPath);
        if (problem) throw new BadImageError(`${options.photoName ?? 'the photo'} could not be decoded, the file may be truncated or damaged (${problem})`);
        throw error;
      }
      const dto = inspectionDto(result, photoPath, workspace, inspector.retrievalUnavailable);
      // The neighbours' source photo sizes: the frame their boxes are drawn in on the cards.
      const windows = await Promise.all(dto.windows.map(async (w) => ({ ...w, neighbours: await withSourceSizes(w.neighbours) })));
      return { ...dto, windows };
    } finally {
      this.release(held);
    }
  }

  /** Disposes the inspector (workspace changed or closed); a call in flight finishes first. */
  async close(): Promise<void> {
    if (this.held) this.retire(this.held);
    this.held = null;
    await Promise.all(this.disposing);
  }

  private async lease(workspace: string): Promise<{ held: Held; inspector: OpenedInspector }> {
    const key = await generationKey(workspace);
    if (!this.held || this.held.workspace !== workspace || this.held.key !== key) {
      if (this.held) this.retire(this.held);
      const { openInspector } = await import('../core/inspection/parts');
      const opened = openInspector(workspace);
      const held: Held = { workspace, key, opened, users: 0, retired: false };
      // A failed open is not kept: the next call tries again (the heads may have been trained meanwhile).
      opened.catch(() => {
        if (this.held === held) this.held = null;
      });
      this.held = held;
    }
    const held = this.held;
    held.users++;
    try {
      return { held, inspector: await held.opened };
    } catch (error) {
      held.users--;
      throw error;
    }
  }

  private release(held: Held): void {
    held.users--;
    if (held.retired && held.users === 0) this.dispose(held);
  }

  private retire(held: Held): void {
    held.retired = true;
    if (held.users === 0) this.dispose(held);
  }

  private dispose(held: Held): void {
    const done = held.opened.then((inspector) => inspector.dispose(), () => undefined).finally(() => this.disposing.delete(done));
    this.disposing.add(done);
  }
}

/** What the inspector was opened on: the live index generation and the embeddings' write time. */
async function generationKey(workspace: string): Promise<string> {
  const { workspacePaths } = await import('../core/workspace/workspace');
  const { liveGenerationDir } = await import('../core/workspace/generations');
  const { indexDir, embeddingsDir } = workspacePaths(workspace);
  const [current, info] = await Promise.all([
    readFile(join(indexDir, 'current'), 'utf8').catch(() => 'none'),
    Promise.resolve()
      .then(() => stat(join(liveGenerationDir(embeddingsDir), 'generation_info.json')))
      .then((s) => `${s.ino}@${s.mtimeMs}`, () => 'none'),
  ]);
  return `${current.trim()}|${info}`;
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
