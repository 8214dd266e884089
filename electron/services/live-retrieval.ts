import { join, resolve } from 'node:path';
import type { QueryEmbedder } from '../core/embedder/query';
import type { OpenIndex, IndexService } from '../core/index/service';
import type { Retriever } from '../core/retriever';
import { SharedSlot } from './shared-slot';

/** What one search or inspection uses: hand it back with release() when done. */
export interface RetrievalLease {
  query: QueryEmbedder;
  retriever: Retriever;
  release(): void;
}

/**
 * The open workspace's live index and query embedder, shared by search and inspection so each is loaded once
 * (the index takes seconds and over a GB at 100k crops, the embedder's ONNX sessions about a second). Both follow
 * their pointers (`index/current`, `embeddings/current`), checked with a stat per search. The app has one workspace
 * open at a time: asking for another drops the previous one's.
 */
export class LiveRetrieval {
  private indexes: IndexService | null = null;
  /** Keyed by the workspace and the stamp of the embeddings it was loaded from (see embeddingsKey). */
  private readonly embedder = new SharedSlot<QueryEmbedder>((query) => query.embedder.dispose());

  /** `openIndex`: how a generation is read (default LocalIndex.open); tests count reads through it. */
  constructor(private readonly openIndex?: OpenIndex) {}

  /** The workspace's index service (review edits go through it too, so their generations need no re-read). */
  async index(workspace: string): Promise<IndexService> {
    const root = resolve(workspace);
    const { IndexService: Service } = await import('../core/index/service');
    if (this.indexes?.workspace !== root) this.indexes = new Service(root, this.openIndex);
    return this.indexes;
  }

  /** The query embedder and a retriever over the live generation; throws when either is missing or they disagree. */
  async lease(workspace: string): Promise<RetrievalLease> {
    const { loadQueryEmbedder } = await import('../core/embedder/query');
    // A failed load is not kept: the next search tries again (phase 3 may have run meanwhile).
    const held = await this.embedder.acquire(await embeddingsKey(workspace), () => loadQueryEmbedder(workspace));
    try {
      const query = held.resource;
      const service = await this.index(workspace);
      const index = await service.current();
      const { model, dim } = index.config;
      const { id } = query.embedder.manifest;
      if (id !== model || query.embedder.dim !== dim) {
        const { RERUN_HINT } = await import('../core/index/store');
        throw new Error(`the index in ${service.workspace} holds ${model} vectors of dimension ${dim}, but the embeddings are ${id} of dimension ${query.embedder.dim}; ${RERUN_HINT}`);
      }
      const { Retriever } = await import('../core/retriever');
      return { query, retriever: Retriever.over(index), release: held.release };
    } catch (error) {
      held.release();
      throw error;
    }
  }

  /** Drops the index and disposes the embedder once the searches in flight have ended (workspace closed). */
  async close(): Promise<void> {
    this.indexes = null;
    await this.embedder.close();
  }
}

/**
 * Which embeddings a query embedder belongs to, from stats alone: the `embeddings/current` pointer, or, in the
 * flat layout from before generations (no pointer), generation_info.json, which phase 3 rewrote in place.
 */
async function embeddingsKey(workspace: string): Promise<string> {
  const { workspacePaths } = await import('../core/workspace/workspace');
  const { pointerStamp } = await import('../core/index/service');
  const { embeddingsDir } = workspacePaths(workspace);
  const pointer = await pointerStamp(join(embeddingsDir, 'current'));
  const stamp = pointer === 'none' ? await pointerStamp(join(embeddingsDir, 'generation_info.json')) : pointer;
  return `${resolve(workspace)}|${stamp}`;
}
