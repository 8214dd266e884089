import type { Photo } from '../dataset/model';
import { openInspector } from '../inspection/parts';
import { loadWorkspaceDataset } from '../pipeline/workspace-sources';
import { inspectionFigures, type InspectionFigures } from './inspection-figures';

export type InspectionSection =
  | {
      figures: InspectionFigures[];
      heads: string;
      /** Why windows have no neighbours (no usable index), or null. */
      neighboursUnavailable: string | null;
      datasets: string[];
    }
  | { unavailable: string };

/**
 * The photos the workspace's crops were cut from, with their annotations, read again as phase 1 read them: the
 * sources workspace.json records (an older workspace without one: the folders crops.json names, the shared folders
 * with their stated photo state, others by their damage shapes).
 */
export async function workspacePhotos(workspace: string): Promise<{ photos: Photo[]; roots: string[] }> {
  const { dataset, sources } = await loadWorkspaceDataset(workspace);
  return { photos: dataset.photos, roots: sources.map((s) => s.path) };
}

/** Region-level inspection of the held-out photos, for the report; never fails the validation. */
export async function inspectionSection(workspace: string, options: { k: number; maxPhotosPerSource?: number; onProgress?: (done: number, total: number) => void }): Promise<InspectionSection> {
  let inspector: Awaited<ReturnType<typeof openInspector>> | null = null;
  try {
    const { photos, roots } = await workspacePhotos(workspace);
    inspector = await openInspector(workspace);
    const figures = await inspectionFigures({ photos, parts: inspector, k: options.k, maxPhotosPerSource: options.maxPhotosPerSource, onProgress: options.onProgress });
    return { figures, heads: inspector.damageModel.manifest.id, neighboursUnavailable: inspector.retrievalUnavailable, datasets: roots };
  } catch (error) {
    return { unavailable: (error as Error).message };
  } finally {
    await inspector?.dispose();
  }
}
