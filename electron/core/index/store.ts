import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { writeFileAtomic, writeJsonAtomic } from '../workspace/atomic-write';
import { generationDir, readCurrent, writeNewGeneration } from '../workspace/generations';
import { readNpy, writeNpy } from '../workspace/npy';
import { faissFromBuffer, faissToBuffer, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_FACTORY, HNSW_M, type FaissIndex } from './faiss';

/**
 * On-disk layout: `<indexDir>/gen-<n>/{index.faiss, vectors.npy, metadata.json, config.json}` and a `current`
 * file naming the live generation. A generation is written completely into a fresh folder and `current` is
 * switched atomically last, so a crash leaves the previous generation live and whole; folders that `current`
 * does not name are leftovers and are pruned after the next successful switch.
 */

export const INDEX_FORMAT_VERSION = 1;
export { readCurrent };

const selfCheckSchema = z.object({
  sampled: z.number().int(),
  passed: z.number().int(),
  min_self_score: z.number().nullable(),
});

export const indexConfigSchema = z.object({
  version: z.literal(INDEX_FORMAT_VERSION),
  generation: z.number().int().positive(),
  model: z.string().min(1),
  dim: z.number().int().positive(),
  fusion: z.string().nullable(),
  index_type: z.enum(['flat', 'hnsw']),
  /** What faiss was asked for, and the HNSW parameters the index was built and searches with. */
  faiss: z.object({
    description: z.string(),
    metric: z.literal('inner_product'),
    hnsw: z.object({ m: z.number(), ef_construction: z.number(), ef_search: z.number() }).nullable(),
  }),
  flat_threshold: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  skipped_rejected: z.number().int().nonnegative(),
  sizes: z.object({ index_bytes: z.number(), vectors_bytes: z.number(), metadata_bytes: z.number() }),
  self_check: selfCheckSchema,
  created_at: z.string(),
  /** What made this generation: a full build from phase 3, or a review edit of one crop. */
  source: z.enum(['embeddings', 'update', 'reject']),
});
export type IndexConfig = z.infer<typeof indexConfigSchema>;
export type SelfCheck = z.infer<typeof selfCheckSchema>;

const metadataSchema = z.object({
  version: z.literal(INDEX_FORMAT_VERSION),
  records: z.array(z.looseObject({ crop_id: z.string().min(1) })),
});

/** faiss settings recorded in config.json for each index type. */
export function faissDescription(type: IndexConfig['index_type']): IndexConfig['faiss'] {
  return type === 'flat'
    ? { description: 'IndexFlatIP', metric: 'inner_product', hnsw: null }
    : {
        description: HNSW_FACTORY,
        metric: 'inner_product',
        hnsw: { m: HNSW_M, ef_construction: HNSW_EF_CONSTRUCTION, ef_search: HNSW_EF_SEARCH },
      };
}

export interface Generation {
  config: IndexConfig;
  /** Row i of the index and of `vectors` is records[i]. */
  records: CropRecord[];
  vectors: Float32Array;
  index: FaissIndex;
}

export type NewGeneration = Omit<Generation, 'config'> & {
  config: Omit<IndexConfig, 'generation' | 'sizes' | 'version'>;
};

/**
 * Writes a complete new generation into a folder of its own, makes it current, then removes the generations older
 * than it (see workspace/generations.ts). A newer generation (another writer's, finished or not) is never touched,
 * and `current` never goes back: when a newer generation went live meanwhile, this one is removed and the call
 * fails, so nothing points at a half-written or deleted folder.
 */
export async function writeGeneration(indexDir: string, next: NewGeneration): Promise<IndexConfig> {
  const { value } = await writeNewGeneration(indexDir, (dir, generation) => writeGenerationFiles(dir, generation, next));
  return value;
}

async function writeGenerationFiles(dir: string, generation: number, next: NewGeneration): Promise<IndexConfig> {
  const { dim } = next.config;
  const indexPath = join(dir, 'index.faiss');
  const vectorsPath = join(dir, 'vectors.npy');
  const metadataPath = join(dir, 'metadata.json');
  await writeFileAtomic(indexPath, faissToBuffer(next.index));
  await writeNpy(vectorsPath, next.vectors, [next.records.length, dim]);
  await writeJsonAtomic(metadataPath, { version: INDEX_FORMAT_VERSION, records: next.records });
  const config: IndexConfig = {
    version: INDEX_FORMAT_VERSION,
    generation,
    ...next.config,
    sizes: {
      index_bytes: (await stat(indexPath)).size,
      vectors_bytes: (await stat(vectorsPath)).size,
      metadata_bytes: (await stat(metadataPath)).size,
    },
  };
  await writeJsonAtomic(join(dir, 'config.json'), config);
  return config;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
}

export const RERUN_HINT = 're-run phase 3 (embeddings) and then `carlens index`';

/** Loads the live generation; checks that its four files agree with each other. */
export async function readGeneration(indexDir: string): Promise<Generation> {
  const generation = await readCurrent(indexDir);
  if (generation === null) throw new Error(`no index in ${indexDir}: run \`carlens index\` first`);
  const dir = generationDir(indexDir, generation);

  const configPath = join(dir, 'config.json');
  const parsedConfig = indexConfigSchema.safeParse(await readJson(configPath));
  if (!parsedConfig.success) {
    throw new Error(`${configPath}: invalid index config (${z.prettifyError(parsedConfig.error)}); ${RERUN_HINT}`);
  }
  const config = parsedConfig.data;

  const metadataPath = join(dir, 'metadata.json');
  const parsedMetadata = metadataSchema.safeParse(await readJson(metadataPath));
  if (!parsedMetadata.success) {
    throw new Error(`${metadataPath}: invalid index metadata (${z.prettifyError(parsedMetadata.error)})`);
  }
  const records = parsedMetadata.data.records as unknown as CropRecord[];

  const vectorsPath = join(dir, 'vectors.npy');
  const { data: vectors, shape } = await readNpy(vectorsPath);
  const indexPath = join(dir, 'index.faiss');
  const index = faissFromBuffer(await readFile(indexPath));

  const problems: string[] = [];
  if (index.ntotal() !== records.length) {
    problems.push(`${indexPath} holds ${index.ntotal()} vectors but ${metadataPath} has ${records.length} records`);
  }
  if (shape.length !== 2 || shape[0] !== records.length || shape[1] !== config.dim) {
    problems.push(`${vectorsPath} has shape [${shape.join(', ')}], expected [${records.length}, ${config.dim}]`);
  }
  if (index.getDimension() !== config.dim) {
    problems.push(`${indexPath} has dimension ${index.getDimension()} but ${configPath} says ${config.dim}`);
  }
  if (config.count !== records.length) {
    problems.push(`${configPath} counts ${config.count} vectors but ${metadataPath} has ${records.length}`);
  }
  if (problems.length) throw new Error(`index generation ${dir} is inconsistent: ${problems.join('; ')}; ${RERUN_HINT}`);
  return { config, records, vectors, index };
}
