import type { BBox } from '../dataset/model';
import type { DamageType } from '../domain/damage-types';
import { LocalIndex, type ExpectedEmbedding } from '../index';
import { passingRows, type SearchFilters } from './filters';

export interface RetrievalOptions {
  k: number;
  filters?: SearchFilters;
  /** See IndexSearchOptions.exactSubsetMax. */
  exactSubsetMax?: number;
}

export interface RetrievalResult {
  rank: number;
  score: number;
  crop_id: string;
  crop_path: string;
  source_image: string;
  /** Absolute path of the source photo. */
  source_path: string;
  bbox: BBox;
  zone: string | null;
  damage_types: DamageType[];
  text_description: string | null;
  has_damage: boolean;
}

/** Similarity search over the workspace index with domain.md's filters applied before ranking. */
export class Retriever {
  constructor(readonly index: LocalIndex) {}

  static async open(workspace: string, expected?: ExpectedEmbedding): Promise<Retriever> {
    return new Retriever(await LocalIndex.open(workspace, expected));
  }

  /** The k most similar crops among those passing `filters` (fewer only when fewer pass). */
  search(queryVector: Float32Array, options: RetrievalOptions): RetrievalResult[] {
    return this.searchMany([queryVector], options)[0]!;
  }

  /** search() for several query vectors, unfiltered ones in one batched index call. */
  searchMany(queryVectors: readonly Float32Array[], options: RetrievalOptions): RetrievalResult[][] {
    const records = this.index.records;
    const allowed = passingRows(records, options.filters);
    const hitLists = this.index.searchMany(queryVectors, options.k, allowed, { exactSubsetMax: options.exactSubsetMax });
    return hitLists.map((hits) =>
      hits.map((hit, i) => {
        const r = records[hit.row]!;
        return {
          rank: i + 1,
          score: hit.score,
          crop_id: r.crop_id,
          crop_path: r.crop_path,
          source_image: r.source_image,
          source_path: r.source_path,
          bbox: r.bbox,
          zone: r.vehicle_zone,
          damage_types: r.damage_types,
          text_description: r.text_description ?? null,
          has_damage: r.has_damage,
        };
      }),
    );
  }
}
