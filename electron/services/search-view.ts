import { join } from 'node:path';
import type { RetrievalResult, SearchFilters as IndexFilters } from '../core/retriever';
import type { SearchFilters, SearchResult } from '../shared/ipc-contract';

/**
 * Why the workspace's index is older than its inputs (workspace.json's phase states), said beside search results so
 * they are not taken for answers over the current crops; null when it is up to date or its state is unknown.
 */
export async function staleIndexNotice(workspace: string): Promise<string | null> {
  const { indexStaleness } = await import('../core/pipeline/phase-states');
  return indexStaleness(workspace);
}

/** The contract's filters as the retriever reads them. */
export function indexFilters(filters: SearchFilters | undefined): IndexFilters {
  return { vehicle_zone: filters?.zones, has_damage: filters?.hasDamage, damage_type: filters?.damageTypes };
}

/**
 * A retrieved crop as the renderer gets it; the crop path is absolute so imageUrl (the path guard) serves it.
 * sourceSize is null here: {@link withSourceSizes} fills it in.
 */
export function searchResultDto(r: RetrievalResult, workspace: string): SearchResult {
  return {
    rank: r.rank,
    score: r.score,
    cropId: r.crop_id,
    cropPath: join(workspace, r.crop_path),
    sourceImage: r.source_image,
    sourcePath: r.source_path,
    bbox: r.bbox,
    sourceSize: null,
    zone: r.zone,
    damageTypes: r.damage_types,
    context: r.text_description,
    hasDamage: r.has_damage,
  };
}

type Size = { width: number; height: number };
/** Upright sizes of source photos already read (headers only); bounded, as a workspace may hold thousands. */
const sizes = new Map<string, Promise<Size | null>>();
const SIZES_KEPT = 4096;

function sourceSize(path: string): Promise<Size | null> {
  let size = sizes.get(path);
  if (!size) {
    if (sizes.size >= SIZES_KEPT) sizes.delete(sizes.keys().next().value!);
    size = import('../core/detector/upright-size').then(({ uprightSize }) => uprightSize(path)).catch(() => null);
    sizes.set(path, size);
  }
  return size;
}

/** Fills in each result's source photo size (the frame its bbox is drawn in), reading each photo's header once. */
export async function withSourceSizes(results: SearchResult[]): Promise<SearchResult[]> {
  return Promise.all(results.map(async (r) => ({ ...r, sourceSize: await sourceSize(r.sourcePath) })));
}
