import type { BBox } from '../dataset/model';
import type { DamageType } from '../domain/damage-types';
import { defaultExactSubsetMax, LocalIndex, type ExpectedEmbedding } from '../index';
import type { CropTable } from '../index/crop-table';
import type { RowSet } from '../index/row-set';
import type { SearchFilters } from './filters';
import { matchShare } from './label-columns';
import { SOFT_FILTER_LIFT, type SoftFilters } from './soft-filters';
import { ColumnPostings, sparseQuery, topK, type SparseQuery } from './sparse';

export interface RetrievalOptions {
  k: number;
  filters?: SearchFilters;
  /** Filters the query proposes but the user has not confirmed: matching crops rank higher, none is left out. */
  soft?: SoftFilters;
  /** See IndexSearchOptions.exactSubsetMax. */
  exactSubsetMax?: number;
}

export interface RetrievalResult {
  rank: number;
  /** Similarity to the query (inner product of unit vectors). */
  score: number;
  /** Added to the score for the ranking because the crop matches proposed filters; absent when none were given. */
  lift?: number;
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

/** Candidates a dense query with proposed filters reranks: this many per result asked for, at least the floor. */
const DENSE_SOFT_WIDTH = { perResult: 10, floor: 200 } as const;

/** A ranked row: its similarity, and the key it is ranked by (the similarity plus any lift). */
interface Hit {
  row: number;
  score: number;
  key: number;
}

const retrieverOf = new WeakMap<LocalIndex, Retriever>();
/** Filter sets whose passing rows a retriever keeps (a bitmap: 12.5 kB each at 100k crops). */
const PASSING_SETS_KEPT = 16;

/** Similarity search over the workspace index with domain.md's filters applied before ranking. */
export class Retriever {
  constructor(readonly index: LocalIndex) {}

  static async open(workspace: string, expected?: ExpectedEmbedding): Promise<Retriever> {
    return new Retriever(await LocalIndex.open(workspace, expected));
  }

  /**
   * The one retriever of an index held open (see index/service.ts): every search over it shares the postings a
   * text query builds and the rows passing each filter set, instead of rebuilding them per search.
   */
  static over(index: LocalIndex): Retriever {
    let retriever = retrieverOf.get(index);
    if (!retriever) retrieverOf.set(index, (retriever = new Retriever(index)));
    return retriever;
  }

  /** The k most similar crops among those passing `filters` (fewer only when fewer pass). */
  search(queryVector: Float32Array, options: RetrievalOptions): RetrievalResult[] {
    return this.searchMany([queryVector], options)[0]!;
  }

  /** search() for several query vectors, unfiltered dense ones in one batched index call. */
  searchMany(queryVectors: readonly Float32Array[], options: RetrievalOptions): RetrievalResult[][] {
    const { table } = this.index;
    const allowed = this.passing(options.filters);
    const share = matchShare(options.soft, table);
    const sparse = queryVectors.map(sparseQuery);
    const ranked: Hit[][] =
      share === null && sparse.every((s) => s === null)
        ? this.index
            .searchMany(queryVectors, options.k, allowed, { exactSubsetMax: options.exactSubsetMax })
            .map((hits) => hits.map((h) => ({ row: h.row, score: h.score, key: h.score })))
        : queryVectors.map((query, i) => this.rank(query, sparse[i]!, allowed, share, options));
    return ranked.map((hits) =>
      hits.map((hit, i) => {
        const r = table.get(hit.row);
        return {
          rank: i + 1,
          score: hit.score,
          ...(share === null ? {} : { lift: hit.key - hit.score }),
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

  /**
   * One query's best k by similarity plus lift: the lift is SOFT_FILTER_LIFT × the best similarity among the
   * passing rows × the share of proposed filters a crop matches. Exact over every passing row for a sparse query
   * and for a dense one over at most exactSubsetMax rows; above that a dense query reranks its nearest candidates
   * together with the nearest rows that match every proposed filter (the rows a full lift brings up furthest).
   */
  private rank(query: Float32Array, sparse: SparseQuery | null, allowed: RowSet | null, share: ((row: number) => number) | null, options: RetrievalOptions): Hit[] {
    const { table, size } = this.index;
    const passing = allowed?.size ?? size;
    const allPassing = () => (allowed ? allowed.rows() : Int32Array.from({ length: size }, (_, row) => row));
    if (sparse) {
      const { scores, touched } = this.postings().score(sparse);
      const scored = allowed ? touched.filter((row) => allowed.has(row)) : touched;
      // Passing rows the query shares no column with score 0: listed only when they could still make the top k.
      const rest = () => {
        const inScored = new Uint8Array(size);
        for (const row of scored) inScored[row] = 1;
        return allPassing().filter((row) => !inScored[row]);
      };
      return this.lifted(scored, scores, passing > scored.length ? rest : null, share, options.k);
    }
    // Scores come from the index's own searches (exact over a small subset), never from a copy of its vectors,
    // which an IVF generation would have to take out of faiss (2.8 GB at a million crops).
    const scores = new Float64Array(size);
    const searchOptions = { exactSubsetMax: options.exactSubsetMax };
    if (passing <= (options.exactSubsetMax ?? defaultExactSubsetMax(this.index.config.index_type))) {
      const hits = this.index.search(query, passing, allowed, searchOptions);
      for (const hit of hits) scores[hit.row] = hit.score;
      return this.lifted(Int32Array.from(hits, (hit) => hit.row), scores, null, share, options.k);
    }
    const wide = Math.min(passing, Math.max(DENSE_SOFT_WIDTH.floor, options.k * DENSE_SOFT_WIDTH.perResult));
    const candidates = new Set<number>();
    const fullMatch = table.filter(options.soft);
    const matching = fullMatch && allowed ? fullMatch.and(allowed) : fullMatch;
    const near = [...this.index.search(query, wide, allowed, searchOptions), ...(matching?.size ? this.index.search(query, options.k, matching, searchOptions) : [])];
    for (const hit of near) {
      candidates.add(hit.row);
      scores[hit.row] = hit.score;
    }
    return this.lifted(Int32Array.from(candidates), scores, null, share, options.k);
  }

  /**
   * The k best of `rows` (and of `rest()`, rows that all score 0) by score plus lift. A row can only make the top
   * k when its score plus the largest lift reaches the k-th best plain score, so the lift is worked out for those
   * rows alone, and `rest` is listed only when a lifted 0 could reach it.
   */
  private lifted(rows: Int32Array, scores: Float64Array, rest: (() => Int32Array) | null, share: ((row: number) => number) | null, k: number): Hit[] {
    let best = 0;
    for (const row of rows) best = Math.max(best, scores[row]!);
    const lift = share === null ? 0 : SOFT_FILTER_LIFT * best;
    const score = (row: number) => scores[row]!;
    const plain = topK(rows, score, k);
    const floor = plain.length === k ? plain[k - 1]!.key : -Infinity;
    let candidates: ArrayLike<number> = share === null ? Int32Array.from(plain, (h) => h.row) : rows.filter((row) => scores[row]! + lift >= floor);
    if (rest && lift >= floor) candidates = Int32Array.from([...Array.from(candidates), ...rest()]);
    const key = share === null ? score : (row: number) => scores[row]! + lift * share(row);
    return topK(candidates, key, k).map((h) => ({ ...h, score: scores[h.row]! }));
  }

  private passingCache: { table: CropTable; byFilters: Map<string, RowSet | null> } | null = null;

  /**
   * The live generation's rows passing a filter set (CropTable.filter), kept per filter set until an edit switches
   * generations: searches repeat the same few filter sets (the chips). The sets are shared: nothing may change them.
   */
  private passing(filters: SearchFilters | undefined): RowSet | null {
    const { table } = this.index;
    if (this.passingCache?.table !== table) this.passingCache = { table, byFilters: new Map() };
    const { byFilters } = this.passingCache;
    const key = JSON.stringify(filters ?? {});
    let rows = byFilters.get(key);
    if (rows === undefined) {
      rows = table.filter(filters);
      if (byFilters.size >= PASSING_SETS_KEPT) byFilters.delete(byFilters.keys().next().value!);
      byFilters.set(key, rows);
    }
    return rows;
  }

  private postingsCache: { vectors: Float32Array; postings: ColumnPostings } | null = null;

  /** Postings lists of the live generation's vectors, kept until an edit switches generations. */
  private postings(): ColumnPostings {
    const { vectors } = this.index;
    if (this.postingsCache?.vectors !== vectors) this.postingsCache = { vectors, postings: new ColumnPostings(vectors, this.index.config.dim) };
    return this.postingsCache.postings;
  }
}
