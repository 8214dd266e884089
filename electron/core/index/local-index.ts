import type { CropRecord } from '../crops/crop-record';
import type { CropTable } from './crop-table';
import { withWorkspaceLock } from '../workspace/lock';
import { workspacePaths } from '../workspace/workspace';
import { createFaissIndex, faissSearch, faissSearchMany, faissSubsetSearch, type FaissIndex, type FaissSearchOptions, type Neighbour } from './faiss';
import type { RowSet } from './row-set';
import { faissPlanOf, readCurrent, readGeneration, RERUN_HINT, writeGeneration, type Generation, type IndexConfig } from './store';
import { better, dotRow, l2Norm, NORM_TOLERANCE } from './vectors';
import { selfCheck, selfCheckFailure } from './self-check';

export interface ExpectedEmbedding {
  /** Model id the query vectors come from; must be the one the index was built with. */
  model?: string;
  dim?: number;
}

export interface IndexSearchOptions {
  /**
   * A filtered query with at most this many passing rows is answered exactly over those rows (faiss's distance
   * computer, in C++); a larger subset is a faiss search with the rows as a selector: exact for Flat, and for the
   * ANN types widened (efSearch / nprobe) while fewer than k pass, then scored exactly over the subset.
   */
  exactSubsetMax?: number;
}

export const DEFAULT_EXACT_SUBSET_MAX = 10_000;
/**
 * The ANN types answer a filter through faiss's selector at little more than an unfiltered search's cost (IVF skips
 * failing rows before scoring them), while the exact subset search scores every passing row (~1 µs a row at dim 704
 * here): above ~2k rows the selector is the faster of the two (bench/index.ts).
 */
export const ANN_EXACT_SUBSET_MAX = 2_000;

/** The exactSubsetMax an index type uses when the caller gives none. */
export function defaultExactSubsetMax(type: IndexConfig['index_type']): number {
  return type === 'flat' ? DEFAULT_EXACT_SUBSET_MAX : ANN_EXACT_SUBSET_MAX;
}
/** Widest HNSW beam tried on a filtered query before scoring the whole subset exactly. */
const MAX_EF_SEARCH = 4_096;

export type CropPatch = Partial<Omit<CropRecord, 'crop_id'>>;

/** The live index generation of a workspace, held in memory: faiss index, its vectors and crop records. */
export class LocalIndex {
  /** Review edits write generations one after another, never two at once. */
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly workspace: string,
    private readonly indexDir: string,
    private readonly expected: ExpectedEmbedding,
    private generation: Generation,
  ) {}

  static async open(workspace: string, expected: ExpectedEmbedding = {}): Promise<LocalIndex> {
    const { indexDir } = workspacePaths(workspace);
    return new LocalIndex(workspace, indexDir, expected, await LocalIndex.readChecked(indexDir, expected));
  }

  private static async readChecked(indexDir: string, expected: ExpectedEmbedding): Promise<Generation> {
    const generation = await readGeneration(indexDir);
    const { config } = generation;
    if (expected.model !== undefined && expected.model !== config.model) {
      throw new Error(
        `index in ${indexDir} was built with model ${config.model}, but queries use ${expected.model}; ${RERUN_HINT}`,
      );
    }
    if (expected.dim !== undefined && expected.dim !== config.dim) {
      throw new Error(`index in ${indexDir} has dimension ${config.dim}, but queries have ${expected.dim}; ${RERUN_HINT}`);
    }
    return generation;
  }

  get size(): number {
    return this.generation.table.size;
  }

  get config(): IndexConfig {
    return this.generation.config;
  }

  /** The crop records, row i found under label i: filter columns and records parsed one at a time. */
  get table(): CropTable {
    return this.generation.table;
  }

  /**
   * Every record parsed (CropTable.records: O(n), ~1 s and ~1 GB per 100k real-sized crops, kept once made), for
   * analyses of a whole small index and tests; searches read `table`. Read-only: edits go through updateCrop/rejectCrop.
   */
  get records(): readonly CropRecord[] {
    return this.generation.table.records();
  }

  rowOf(cropId: string): number | undefined {
    return this.generation.table.rowOf(cropId);
  }

  /**
   * Every stored vector, row-major (row i is records[i]); read-only: edits go through updateCrop/rejectCrop. Flat
   * generations read them at open. An ANN generation does not: its index holds every vector uncompressed already
   * and a search never needs a second copy, so they are copied out of the index (not read from vectors.npy, which a
   * later switch may have deleted) the first time something asks (an edit, or a caller that scores rows itself).
   */
  get vectors(): Float32Array {
    const generation = this.generation;
    generation.vectors ??= generation.index.reconstructRange(0, generation.index.ntotal());
    return generation.vectors;
  }

  /** The stored (unit) vector of a row; a copy. */
  vector(row: number): Float32Array {
    const { dim } = this.generation.config;
    const { vectors, index } = this.generation;
    return vectors ? vectors.slice(row * dim, (row + 1) * dim) : index.reconstructRange(row, 1);
  }

  /**
   * The k rows with the highest inner product with `query`, best first, ties by lower row. With `allowed`, only
   * those rows compete: the result is the k best among them (all of them when fewer pass), never a filtered top-k.
   */
  search(query: Float32Array, k: number, allowed: RowSet | null = null, options: IndexSearchOptions = {}): Neighbour[] {
    this.checkQuery(query, k);
    this.checkRows(allowed);
    return this.searchChecked(query, k, allowed, options);
  }

  /**
   * search() for many queries at once: one faiss call for the whole batch (its BLAS path for Flat) when the answer
   * needs no per-query widening; filtered queries on an ANN index above exactSubsetMax take search()'s path each.
   */
  searchMany(queries: readonly Float32Array[], k: number, allowed: RowSet | null = null, options: IndexSearchOptions = {}): Neighbour[][] {
    for (const query of queries) this.checkQuery(query, k);
    this.checkRows(allowed);
    if (queries.length === 0) return [];
    if (allowed?.size === 0) return queries.map(() => []);
    const { index, config } = this.generation;
    const small = allowed !== null && allowed.size <= (options.exactSubsetMax ?? defaultExactSubsetMax(config.index_type));
    if (allowed !== null && !small && config.index_type !== 'flat') {
      return queries.map((query) => this.searchChecked(query, k, allowed, options));
    }
    const packed = new Float32Array(queries.length * config.dim);
    queries.forEach((query, i) => packed.set(query, i * config.dim));
    const found = allowed !== null && small ? faissSubsetSearch(index, packed, k, allowed.rows()) : faissSearchMany(index, packed, k, { allowed });
    return found.map((hits, i) => this.ranked(queries[i]!, hits, k));
  }

  private searchChecked(query: Float32Array, k: number, allowed: RowSet | null, options: IndexSearchOptions): Neighbour[] {
    const { index, config } = this.generation;
    if (allowed === null) return this.ranked(query, faissSearch(index, query, k), k);
    if (allowed.size === 0) return [];
    const exactly = (): Neighbour[] => this.ranked(query, faissSubsetSearch(index, query, k, allowed.rows())[0]!, k);
    if (allowed.size <= (options.exactSubsetMax ?? defaultExactSubsetMax(config.index_type))) return exactly();
    // Flat with a selector is an exact scan of the passing rows.
    if (config.index_type === 'flat') return this.ranked(query, faissSearch(index, query, k, { allowed }), k);
    const wanted = Math.min(k, allowed.size);
    for (const widening of this.widenings(k, allowed.size / this.size)) {
      const found = faissSearch(index, query, k, { allowed, ...widening });
      if (found.length >= wanted) return this.ranked(query, found, k);
    }
    return exactly();
  }

  /**
   * Search settings for a filtered ANN query, widest last. The selector only drops failing rows from the results:
   * an HNSW beam of ef candidates holds about ef × share passing rows, so the beam starts at k / share (at least
   * the index's own efSearch) and grows 4× up to MAX_EF_SEARCH; IVF visits 4× more lists each time, up to all.
   */
  private widenings(k: number, share: number): FaissSearchOptions[] {
    const parameters = this.generation.index.parameters();
    const out: FaissSearchOptions[] = [];
    if (parameters.kind === 'hnsw') {
      for (let ef = Math.max(parameters.efSearch, Math.ceil(k / share)); ; ef *= 4) {
        out.push({ efSearch: Math.min(ef, MAX_EF_SEARCH) });
        if (ef >= MAX_EF_SEARCH) break;
      }
    } else if (parameters.kind === 'ivf') {
      for (let nprobe = parameters.nprobe; ; nprobe *= 4) {
        out.push({ nprobe: Math.min(nprobe, parameters.nlist) });
        if (nprobe >= parameters.nlist) break;
      }
    }
    return out;
  }

  private checkQuery(query: Float32Array, k: number): void {
    const { dim } = this.generation.config;
    if (query.length !== dim) throw new Error(`query vector has ${query.length} values, the index has dimension ${dim}`);
    if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
  }

  private checkRows(allowed: RowSet | null): void {
    if (allowed !== null && allowed.total !== this.size) {
      throw new Error(`a row set over ${allowed.total} rows does not fit index generation ${this.generation.config.generation} of ${this.size} rows`);
    }
  }

  /**
   * Best first, ties by lower row. Flat keeps its vectors in memory, so its candidates are scored again with the
   * float64 dot product callers use (scores and tie order then do not depend on which faiss path answered). An
   * ANN index keeps faiss's float32 scores: its search and its subset search use the same distance function.
   */
  private ranked(query: Float32Array, candidates: Neighbour[], k: number): Neighbour[] {
    const { vectors, config } = this.generation;
    const scored = config.index_type === 'flat' && vectors ? candidates.map((c) => ({ row: c.row, score: dotRow(vectors, config.dim, c.row, query) })) : candidates;
    return scored.sort((x, y) => (better(x, y) ? -1 : 1)).slice(0, k);
  }

  /**
   * Replaces one crop's vector (e.g. after its context text was edited) and patches its record, as a new
   * generation. faiss-node can neither update nor remove vectors in place (HNSW does not support removal at
   * all), so the faiss index is rebuilt from the generation's stored vectors: no image is re-embedded.
   */
  async updateCrop(cropId: string, vector: Float32Array, patch: CropPatch = {}): Promise<IndexConfig> {
    return this.edit(`index update (crop ${cropId})`, async () => {
      const row = this.requireRow(cropId);
      const { dim } = this.generation.config;
      if (vector.length !== dim) throw new Error(`updateCrop ${cropId}: vector has ${vector.length} values, index dimension is ${dim}`);
      const norm = l2Norm(vector);
      if (Math.abs(norm - 1) > NORM_TOLERANCE) throw new Error(`updateCrop ${cropId}: vector norm is ${norm}, expected a unit vector`);
      const vectors = this.vectors.slice();
      vectors.set(vector, row * dim);
      const { table } = this.generation;
      const edited = table.withRecord(row, { ...table.get(row), ...patch, crop_id: cropId });
      return this.commit(edited, vectors, 'update', this.generation.config.skipped_rejected);
    });
  }

  /** Takes a crop out of the index (reviewer rejected it); a new generation without its row. */
  async rejectCrop(cropId: string): Promise<IndexConfig> {
    return this.edit(`index reject (crop ${cropId})`, async () => {
      const row = this.requireRow(cropId);
      const { dim } = this.generation.config;
      const old = this.vectors;
      const vectors = new Float32Array(old.length - dim);
      vectors.set(old.subarray(0, row * dim), 0);
      vectors.set(old.subarray((row + 1) * dim), row * dim);
      return this.commit(this.generation.table.withoutRow(row), vectors, 'reject', this.generation.config.skipped_rejected + 1);
    });
  }

  private async commit(
    table: CropTable,
    vectors: Float32Array,
    source: IndexConfig['source'],
    skippedRejected: number,
  ): Promise<IndexConfig> {
    const { config: previous } = this.generation;
    const index: FaissIndex = createFaissIndex(faissPlanOf(previous), vectors, previous.dim);
    const check = selfCheck(index, vectors, previous.dim);
    const failure = selfCheckFailure(check, previous.index_type);
    if (failure) throw new Error(`${source} in ${this.indexDir}: ${failure}; the live generation is unchanged`);
    const { generation: _g, sizes: _s, version: _v, ...carried } = previous;
    const config = await writeGeneration(this.indexDir, {
      index,
      vectors,
      records: table,
      config: {
        ...carried,
        count: table.size,
        skipped_rejected: skippedRejected,
        self_check: check,
        created_at: new Date().toISOString(),
        source,
      },
    });
    this.generation = { config, table, vectors, index };
    return config;
  }

  private requireRow(cropId: string): number {
    const row = this.generation.table.rowOf(cropId);
    if (row === undefined) throw new Error(`crop ${cropId} is not in the index`);
    return row;
  }

  /**
   * One edit at a time on this instance, each as the workspace's only writer, applied to the live generation:
   * when another writer (a rebuild, another instance's edit) switched generations since this one was read, the
   * edit is made on the newer one, so it never brings back what that writer changed.
   */
  private edit<T>(what: string, task: () => Promise<T>): Promise<T> {
    return this.serialised(() =>
      withWorkspaceLock(this.workspace, what, async () => {
        if ((await readCurrent(this.indexDir)) !== this.generation.config.generation) {
          this.generation = await LocalIndex.readChecked(this.indexDir, this.expected);
        }
        return task();
      }),
    );
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writes.then(task, task);
    this.writes = run.catch(() => undefined);
    return run;
  }
}
