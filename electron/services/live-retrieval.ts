import { join, resolve } from 'node:path';
import type { QueryEmbedder } from '../core/embedder/query';
import type { OpenIndex, IndexService } from '../core/index/service';
import type { Retriever } from '../core/retriever';

/** A query embedder and the searches using it; a retired one is disposed when its last search has ended. */
interface HeldEmbedder {
  /** The workspace and the stamp of the embeddings it was loaded from (see embeddingsKey). */
  key: string;
  loading: Promise<QueryEmbedder>;
  users: number;
  retired: boolean;
}

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
  private embedder: HeldEmbedder | null = null;
  private readonly disposing = new Set<Promise<void>>();

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
    const held = await this.holdEmbedder(workspace);
    try {
      const query = await held.loading;
      const service = await this.index(workspace);
      const index = await service.current();
      const { model, dim } = index.config;
      const { id } = query.embedder.manifest;
      if (id !== model || query.embedder.dim !== dim) {
        const { RERUN_HINT } = await import('../core/index/store');
        throw new Error(`the index in ${service.workspace} holds ${model} vectors of dimension ${dim}, but the embeddings are ${id} of dimension ${query.embedder.dim}; ${RERUN_HINT}`);
      }
      const { Retriever } = await import('../core/retriever');
      let released = false;
      const release = () => {
        if (!released) this.release(held);
        released = true;
      };
      return { query, retriever: Retriever.over(index), release };
    } catch (error) {
      this.release(held);
      throw error;
    }
  }

  /** Drops the index and disposes the embedder once the searches in flight have ended (workspace closed). */
  async close(): Promise<void> {
    this.indexes = null;
    if (this.embedder) this.retire(this.embedder);
    this.embedder = null;
    await Promise.all(this.disposing);
  }

  private async holdEmbedder(workspace: string): Promise<HeldEmbedder> {
    const key = await embeddingsKey(workspace);
    const { loadQueryEmbedder } = await import('../core/embedder/query');
    if (this.embedder?.key !== key) {
      if (this.embedder) this.retire(this.embedder);
      const held: HeldEmbedder = { key, loading: loadQueryEmbedder(workspace), users: 0, retired: false };
      // A failed load is not kept: the next search tries again (phase 3 may have run meanwhile).
      held.loading.catch(() => {
        if (this.embedder === held) this.embedder = null;
      });
      this.embedder = held;
    }
    this.embedder.users++;
    return this.embedder;
  }

  private release(held: HeldEmbedder): void {
    held.users--;
    if (held.retired && held.users === 0) this.dispose(held);
  }

  private retire(held: HeldEmbedder): void {
    held.retired = true;
    if (held.users === 0) this.dispose(held);
  }

  private dispose(held: HeldEmbedder): void {
    const done = held.loading.then((q) => q.embedder.dispose(), () => undefined).finally(() => this.disposing.delete(done));
    this.disposing.add(done);
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
