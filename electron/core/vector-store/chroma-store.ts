import { ChromaClient, ChromaConnectionError, ChromaNotFoundError, type Collection, type EmbeddingFunction } from 'chromadb';
import { z } from 'zod';
import type { LocalIndex } from '../index';
import type { SearchFilters } from '../retriever/filters';
import { chromaFilter, cropMetadata, type ChromaCropMetadata } from './chroma-metadata';
import type { StoreDescription, StoreHit, VectorStore } from './port';

export const DEFAULT_COLLECTION = 'carlens';

/** Where a workspace index lives on a Chroma server. */
export interface ChromaTarget {
  /** e.g. http://127.0.0.1:8000 */
  url: string;
  collection: string;
}

/**
 * Inner product on unit vectors, as the local index ranks; M 32 like the local HNSW32. Measured with
 * bench/vector-store.ts at 20k × 128: recall@10 against exact search 1.000 at ef_search 200 and at Chroma's default
 * 100, 0.97-0.99 at 10, filtered or not (Chroma's filtered queries go through HNSW too). 200 keeps a margin for
 * larger collections, where recall at a fixed ef falls.
 */
const HNSW = { space: 'ip', max_neighbors: 32, ef_construction: 200, ef_search: 200 } as const;
/** Records per add request: about 7 MB of JSON at the app's 704 dimensions. */
const PUSH_BATCH = 1_000;

/** CarLens hands Chroma vectors, never text; a call to embed means a bug, so it fails loudly. */
const VECTORS_ONLY: EmbeddingFunction = {
  generate: () => Promise.reject(new Error('CarLens collections hold precomputed vectors; nothing is embedded by the server')),
};

const collectionMetadataSchema = z.object({
  carlens_model: z.string().min(1),
  carlens_dim: z.number().int().positive(),
  carlens_generation: z.number().int().nonnegative(),
  carlens_count: z.number().int().nonnegative(),
});

function clientFor(url: string): ChromaClient {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${url} is not a URL; give the Chroma server as http://HOST:PORT`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${url}: a Chroma server is reached over http or https`);
  const ssl = parsed.protocol === 'https:';
  return new ChromaClient({ host: parsed.hostname, port: Number(parsed.port || (ssl ? 443 : 80)), ssl });
}

/** What to do about a failed call, when the cause is one the user can act on. */
function unreachable(error: unknown): string | undefined {
  if (error instanceof ChromaConnectionError) return 'no Chroma server answers there (start one: npx chroma run --path DIR --port PORT)';
  if (error instanceof ChromaNotFoundError) return 'no such collection; push the index first (carlens engine push --url URL)';
  return undefined;
}

function where(target: ChromaTarget, name = target.collection): string {
  return `${target.url} (collection ${name})`;
}

async function deleteIfPresent(client: ChromaClient, name: string): Promise<void> {
  try {
    await client.deleteCollection({ name });
  } catch (error) {
    if (!(error instanceof ChromaNotFoundError)) throw error;
  }
}

/**
 * Loads the index generation into the server as `target.collection`: ids, vectors and the filter fields. It is
 * filled under a staging name and takes the collection's name only once complete, so a failed push leaves the
 * collection other workstations search as it was (Chroma cannot rename over a collection: between deleting the old
 * one and renaming the new one there is a moment with neither name, which the error then says).
 */
export async function pushIndex(index: LocalIndex, target: ChromaTarget, onProgress: (pushed: number, total: number) => void = () => undefined): Promise<StoreDescription> {
  const client = clientFor(target.url);
  const staging = `${target.collection}-incoming`;
  const { model, dim, generation } = index.config;
  const total = index.size;
  let oldDeleted = false;
  try {
    await deleteIfPresent(client, staging);
    const collection = await client.createCollection({
      name: staging,
      embeddingFunction: VECTORS_ONLY,
      configuration: { hnsw: HNSW },
      metadata: { carlens_model: model, carlens_dim: dim, carlens_generation: generation, carlens_count: total },
    });
    for (let start = 0; start < total; start += PUSH_BATCH) {
      const rows = Array.from({ length: Math.min(PUSH_BATCH, total - start) }, (_, i) => start + i);
      const crops = rows.map((row) => index.table.get(row));
      await collection.add({
        ids: crops.map((crop) => crop.crop_id),
        embeddings: rows.map((row) => Array.from(index.vector(row))),
        metadatas: crops.map((crop): ChromaCropMetadata => cropMetadata(crop)),
      });
      onProgress(start + rows.length, total);
    }
    const stored = await collection.count();
    if (stored !== total) throw new Error(`holds ${stored} vectors after the push, expected ${total}`);
    oldDeleted = true;
    await deleteIfPresent(client, target.collection);
    await collection.modify({ name: target.collection });
  } catch (error) {
    const state = oldDeleted ? `the new index is complete in ${staging}: push again to name it ${target.collection}` : `collection ${target.collection} is unchanged`;
    throw new Error(`pushing index generation ${generation} to ${where(target, staging)}: ${unreachable(error) ?? (error as Error).message}; ${state}`, { cause: error });
  }
  return { engine: 'chroma', location: where(target), model, dim, generation };
}

/** The index as a Chroma server holds it (after pushIndex), searched with the same filters as the local store. */
export class ChromaVectorStore implements VectorStore {
  private constructor(
    private readonly collection: Collection,
    private readonly description: StoreDescription,
  ) {}

  static async connect(target: ChromaTarget): Promise<ChromaVectorStore> {
    const client = clientFor(target.url);
    let collection: Collection;
    try {
      collection = await client.getCollection({ name: target.collection, embeddingFunction: VECTORS_ONLY });
    } catch (error) {
      throw new Error(`${where(target)}: ${unreachable(error) ?? (error as Error).message}`, { cause: error });
    }
    const metadata = collectionMetadataSchema.safeParse(collection.metadata ?? {});
    if (!metadata.success) throw new Error(`${where(target)} was not written by carlens engine push (no model, dimension and generation in its metadata)`);
    const { carlens_model: model, carlens_dim: dim, carlens_generation: generation } = metadata.data;
    return new ChromaVectorStore(collection, { engine: 'chroma', location: where(target), model, dim, generation });
  }

  describe(): StoreDescription {
    return this.description;
  }

  count(): Promise<number> {
    return this.collection.count();
  }

  async searchMany(queries: readonly Float32Array[], k: number, filters?: SearchFilters): Promise<StoreHit[][]> {
    const { dim, location } = this.description;
    if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
    const wrong = queries.find((q) => q.length !== dim);
    if (wrong) throw new Error(`query vector has ${wrong.length} values, ${location} holds dimension ${dim}`);
    const filter = chromaFilter(filters);
    if (filter.kind === 'none' || queries.length === 0) return queries.map(() => []);
    const result = await this.collection.query({
      queryEmbeddings: queries.map((q) => Array.from(q)),
      nResults: k,
      where: filter.kind === 'where' ? filter.where : undefined,
      include: ['distances'],
    });
    // Chroma's inner-product distance is 1 - q·v.
    return result.ids.map((ids, i) => ids.map((id, j) => ({ crop_id: id, score: 1 - (result.distances[i]?.[j] ?? Number.NaN) })));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
