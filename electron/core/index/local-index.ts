import type { CropRecord } from '../crops/crop-record';
import { withWorkspaceLock } from '../workspace/lock';
import { workspacePaths } from '../workspace/workspace';
import { createFaissIndex, faissSearch, faissSearchMany, type FaissIndex, type Neighbour } from './faiss';
import { readCurrent, readGeneration, RERUN_HINT, writeGeneration, type Generation, type IndexConfig } from './store';
import { better, dotRow, exactTopK, l2Norm, NORM_TOLERANCE } from './vectors';
import { selfCheck, selfCheckFailure } from './self-check';

export interface ExpectedEmbedding {
  /** Model id the query vectors come from; must be the one the index was built with. */
  model?: string;
  dim?: number;
}

export interface IndexSearchOptions {
  /**
   * A filtered query with at most this many passing rows is answered by exact dot products over those rows;
   * a larger subset goes through faiss with a growing k (exact for Flat), falling back to exact if too few pass.
   */
  exactSubsetMax?: number;
}

export const DEFAULT_EXACT_SUBSET_MAX = 10_000;
/** Widest faiss query before giving up on the ANN path and scoring the whole subset exactly. */
const MAX_ANN_K = 8_192;

export type CropPatch = Partial<Omit<CropRecord, 'crop_id'>>;

/** The live index generation of a workspace, held in memory: faiss index, its vectors and crop records. */
export class LocalIndex {
  private rowById = new Map<string, number>();
  /** Review edits write generations one after another, never two at once. */
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly workspace: string,
    private readonly indexDir: string,
    private readonly expected: ExpectedEmbedding,
    private generation: Generation,
  ) {
    this.reindexIds();
  }

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
    return this.generation.records.length;
  }

  get config(): IndexConfig {
    return this.generation.config;
  }

  /** Row i is the crop found under label i. Treat as read-only: edits go through updateCrop/rejectCrop. */
  get records(): readonly CropRecord[] {
    return this.generation.records;
  }

  rowOf(cropId: string): number | undefined {
    return this.rowById.get(cropId);
  }

  /** Every stored vector, row-major (row i is records[i]); read-only: edits go through updateCrop/rejectCrop. */
  get vectors(): Float32Array {
    return this.generation.vectors;
  }

  /** The stored (unit) vector of a row; a copy. */
  vector(row: number): Float32Array {
    const { dim } = this.generation.config;
    return this.generation.vectors.slice(row * dim, (row + 1) * dim);
  }

  /**
   * The k rows with the highest inner product with `query`, best first. With `allowedRows`, only those rows
   * compete: the result is the k best among them (all of them when fewer pass), never a filtered top-k.
   */
  search(
    query: Float32Array,
    k: number,
    allowedRows: Set<number> | null = null,
    options: IndexSearchOptions = {},
  ): Neighbour[] {
    const { dim, index_type: indexType } = this.generation.config;
    this.checkQuery(query, k);
    const { vectors, index } = this.generation;
    if (allowedRows === null) return this.rescore(query, faissSearch(index, query, k), k, null);
    if (allowedRows.size === 0) return [];

    const exactMax = options.exactSubsetMax ?? DEFAULT_EXACT_SUBSET_MAX;
    if (allowedRows.size <= exactMax) return exactTopK(vectors, dim, query, k, allowedRows);

    const wanted = Math.min(k, allowedRows.size);
    const share = allowedRows.size / this.size;
    // Ask for enough that, at this pass rate, about twice k pass; widen 4× per miss.
    let searchK = Math.min(this.size, MAX_ANN_K, Math.ceil((2 * k) / share));
    for (;;) {
      const found = this.rescore(query, faissSearch(index, query, searchK), wanted, allowedRows);
      // Flat with every row searched is complete; otherwise enough must have passed.
      if (found.length >= wanted || (indexType === 'flat' && searchK >= this.size)) return found;
      if (searchK >= Math.min(this.size, MAX_ANN_K)) break;
      searchK = Math.min(this.size, MAX_ANN_K, searchK * 4);
    }
    return exactTopK(vectors, dim, query, k, allowedRows);
  }

  /**
   * search() for many queries at once: unfiltered queries go to faiss in one batched call (its BLAS path), so a
   * photo's windows cost one search rather than one each; filtered ones take search()'s path per query.
   */
  searchMany(queries: readonly Float32Array[], k: number, allowedRows: Set<number> | null = null, options: IndexSearchOptions = {}): Neighbour[][] {
    if (allowedRows !== null || queries.length === 0) return queries.map((query) => this.search(query, k, allowedRows, options));
    const { dim } = this.generation.config;
    const packed = new Float32Array(queries.length * dim);
    queries.forEach((query, i) => {
      this.checkQuery(query, k);
      packed.set(query, i * dim);
    });
    return faissSearchMany(this.generation.index, packed, k).map((hits, i) => this.rescore(queries[i]!, hits, k, null));
  }

  private checkQuery(query: Float32Array, k: number): void {
    const { dim } = this.generation.config;
    if (query.length !== dim) throw new Error(`query vector has ${query.length} values, the index has dimension ${dim}`);
    if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
  }

  /**
   * Scores candidates with the same float64 dot product the exact path uses, so scores (and tie order) do not
   * depend on which path answered.
   */
  private rescore(query: Float32Array, candidates: Neighbour[], k: number, allowed: Set<number> | null): Neighbour[] {
    const { vectors } = this.generation;
    const { dim } = this.generation.config;
    return candidates
      .filter((c) => allowed === null || allowed.has(c.row))
      .map((c) => ({ row: c.row, score: dotRow(vectors, dim, c.row, query) }))
      .sort((x, y) => (better(x, y) ? -1 : 1))
      .slice(0, k);
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
      const vectors = this.generation.vectors.slice();
      vectors.set(vector, row * dim);
      const records = this.generation.records.slice();
      records[row] = { ...records[row]!, ...patch, crop_id: cropId };
      return this.commit(records, vectors, 'update', this.generation.config.skipped_rejected);
    });
  }

  /** Takes a crop out of the index (reviewer rejected it); a new generation without its row. */
  async rejectCrop(cropId: string): Promise<IndexConfig> {
    return this.edit(`index reject (crop ${cropId})`, async () => {
      const row = this.requireRow(cropId);
      const { dim } = this.generation.config;
      const old = this.generation.vectors;
      const vectors = new Float32Array(old.length - dim);
      vectors.set(old.subarray(0, row * dim), 0);
      vectors.set(old.subarray((row + 1) * dim), row * dim);
      const records = this.generation.records.filter((_, i) => i !== row);
      return this.commit(records, vectors, 'reject', this.generation.config.skipped_rejected + 1);
    });
  }

  private async commit(
    records: CropRecord[],
    vectors: Float32Array,
    source: IndexConfig['source'],
    skippedRejected: number,
  ): Promise<IndexConfig> {
    const { config: previous } = this.generation;
    const index: FaissIndex = createFaissIndex(previous.index_type, vectors, previous.dim);
    const check = selfCheck(index, vectors, previous.dim);
    const failure = selfCheckFailure(check, previous.index_type);
    if (failure) throw new Error(`${source} in ${this.indexDir}: ${failure}; the live generation is unchanged`);
    const { generation: _g, sizes: _s, version: _v, ...carried } = previous;
    const config = await writeGeneration(this.indexDir, {
      index,
      vectors,
      records,
      config: {
        ...carried,
        count: records.length,
        skipped_rejected: skippedRejected,
        self_check: check,
        created_at: new Date().toISOString(),
        source,
      },
    });
    this.generation = { config, records, vectors, index };
    this.reindexIds();
    return config;
  }

  private requireRow(cropId: string): number {
    const row = this.rowById.get(cropId);
    if (row === undefined) throw new Error(`crop ${cropId} is not in the index`);
    return row;
  }

  private reindexIds(): void {
    this.rowById = new Map(this.generation.records.map((r, i) => [r.crop_id, i]));
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
          this.reindexIds();
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
