import type { SearchFilters } from '../retriever/filters';

/** One ranked neighbour: the crop and its similarity (inner product of unit vectors). */
export interface StoreHit {
  crop_id: string;
  score: number;
}

/** Which engine answers and what it holds, for logs and for checking that a server holds the workspace's index. */
export interface StoreDescription {
  /** `faiss` for the workspace's own index, else the server engine's name. */
  engine: string;
  /** The workspace folder, or the server URL and collection. */
  location: string;
  /** Model and dimension of the stored vectors, so a query from another model is refused, not answered. */
  model: string;
  dim: number;
  /** The workspace index generation the vectors came from. */
  generation: number;
}

/**
 * What the app's similarity search needs from wherever the vectors live: the workspace's own FAISS index (the
 * default) or a server engine shared by several workstations. Filters apply before ranking in every engine: a
 * result is the k best among the crops passing them (fewer only when fewer pass).
 */
export interface VectorStore {
  describe(): StoreDescription;
  count(): Promise<number>;
  /** One ranked list per query vector, best first. */
  searchMany(queries: readonly Float32Array[], k: number, filters?: SearchFilters): Promise<StoreHit[][]>;
  close(): Promise<void>;
}
