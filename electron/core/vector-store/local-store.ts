import { LocalIndex } from '../index';
import { Retriever } from '../retriever';
import type { SearchFilters } from '../retriever/filters';
import type { StoreDescription, StoreHit, VectorStore } from './port';

/** The default store: the workspace's live FAISS generation, searched in this process through the Retriever. */
export class LocalVectorStore implements VectorStore {
  private readonly retriever: Retriever;

  constructor(
    readonly index: LocalIndex,
    private readonly workspace: string,
  ) {
    this.retriever = Retriever.over(index);
  }

  static async open(workspace: string): Promise<LocalVectorStore> {
    return new LocalVectorStore(await LocalIndex.open(workspace), workspace);
  }

  describe(): StoreDescription {
    const { model, dim, generation } = this.index.config;
    return { engine: 'faiss', location: this.workspace, model, dim, generation };
  }

  count(): Promise<number> {
    return Promise.resolve(this.index.size);
  }

  searchMany(queries: readonly Float32Array[], k: number, filters?: SearchFilters): Promise<StoreHit[][]> {
    const ranked = this.retriever.searchMany(queries, { k, filters });
    return Promise.resolve(ranked.map((hits) => hits.map((h) => ({ crop_id: h.crop_id, score: h.score }))));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
