import { join } from 'node:path';
import type { RetrievalResult, SearchFilters as IndexFilters } from '../core/retriever';
import type { SearchFilters, SearchResult } from '../shared/ipc-contract';

/** The contract's filters as the retriever reads them. */
export function indexFilters(filters: SearchFilters | undefined): IndexFilters {
  return { vehicle_zone: filters?.zones, has_damage: filters?.hasDamage, damage_type: filters?.damageTypes };
}

/** A retrieved crop as the renderer gets it; the crop path is absolute so imageUrl (the path guard) serves it. */
export function searchResultDto(r: RetrievalResult, workspace: string): SearchResult {
  return {
    rank: r.rank,
    score: r.score,
    cropId: r.crop_id,
    cropPath: join(workspace, r.crop_path),
    sourceImage: r.source_image,
    zone: r.zone,
    damageTypes: r.damage_types,
    context: r.text_description,
    hasDamage: r.has_damage,
  };
}
