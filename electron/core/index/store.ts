import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { generationDir, readCurrent, writeNewGeneration } from '../workspace/generations';
import { readNpy, writeNpy } from '../workspace/npy';
import { readFaissIndex, writeFaissIndex, type FaissIndex, type FaissPlan } from './faiss';
import { CropTable } from './crop-table';
import { readCropTable, writeCropTable } from './crop-table-file';

/**
 * On-disk layout: `<indexDir>/gen-<n>/{index.faiss, vectors.npy, metadata.jsonl, columns.bin, config.json}` and a
 * `current` file naming the live generation (crop-table-file.ts describes the two metadata files; generations
 * written before them hold `metadata.json` instead, and still open). A generation is written completely into a
 * fresh folder and `current` is switched atomically last, so a crash leaves the previous generation live and whole;
 * folders that `current` does not name are leftovers and are pruned after the next successful switch.
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
  index_type: z.enum(['flat', 'hnsw', 'ivf']),
  /** What faiss was asked for (the factory string), and the parameters the index was built and searches with. */
  faiss: z.object({
    description: z.string(),
    metric: z.literal('inner_product'),
    hnsw: z.object({ m: z.number(), ef_construction: z.number(), ef_search: z.number() }).nullable(),
    // Absent in configs written before IVF existed.
    ivf: z.object({ nlist: z.number(), nprobe: z.number(), train_rows: z.number() }).nullable().default(null),
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

/** faiss settings recorded in config.json for an index plan. */
export function faissDescription(plan: FaissPlan): IndexConfig['faiss'] {
  const { hnsw, ivf } = plan;
  return {
    description: plan.factory,
    metric: 'inner_product',
    hnsw: hnsw && { m: hnsw.m, ef_construction: hnsw.efConstruction, ef_search: hnsw.efSearch },
    ivf: ivf && { nlist: ivf.nlist, nprobe: ivf.nprobe, train_rows: ivf.trainRows },
  };
}

/** The plan a config.json describes (how LocalIndex rebuilds a generation after an edit). */
export function faissPlanOf(config: IndexConfig): FaissPlan {
  const { hnsw, ivf, description } = config.faiss;
  return {
    type: config.index_type,
    // Configs written before the factory was recorded named the flat index by its class.
    factory: description === 'IndexFlatIP' ? 'Flat' : description,
    hnsw: hnsw && { m: hnsw.m, efConstruction: hnsw.ef_construction, efSearch: hnsw.ef_search },
    ivf: ivf && { nlist: ivf.nlist, nprobe: ivf.nprobe, trainRows: ivf.train_rows },
  };
}

export interface Generation {
  config: IndexConfig;
  /** Row i of the index and of `vectors` is the table's row i. */
  table: CropTable;
  /**
   * Row-major vectors (vectors.npy). Only Flat generations read them at open; an ANN index holds every vector
   * already (uncompressed), so they stay null until LocalIndex.vectors first asks the index for them.
   */
  vectors: Float32Array | null;
  index: FaissIndex;
}

export type NewGeneration = Omit<Generation, 'config' | 'table' | 'vectors'> & {
  vectors: Float32Array;
  config: Omit<IndexConfig, 'generation' | 'sizes' | 'version'>;
  /** The rows' crop records: a table (an edit of a live generation) or a list (a build). */
  records: CropTable | readonly CropRecord[];
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
  const table = next.records instanceof CropTable ? next.records : CropTable.fromRecords(next.records);
  await writeFaissIndex(next.index, indexPath);
  await writeNpy(vectorsPath, next.vectors, [table.size, dim]);
  const metadataBytes = await writeCropTable(dir, table);
  const config: IndexConfig = {
    version: INDEX_FORMAT_VERSION,
    generation,
    ...next.config,
    sizes: {
      index_bytes: (await stat(indexPath)).size,
      vectors_bytes: (await stat(vectorsPath)).size,
      metadata_bytes: metadataBytes,
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

  const table = await readCropTable(dir);
  const metadataPath = table.origin;

  const vectorsPath = join(dir, 'vectors.npy');
  const { data: vectors, shape } = config.index_type === 'flat' ? await readNpy(vectorsPath) : { data: null, shape: null };
  const indexPath = join(dir, 'index.faiss');
  const index = readFaissIndex(indexPath);

  const problems: string[] = [];
  if (index.ntotal() !== table.size) {
    problems.push(`${indexPath} holds ${index.ntotal()} vectors but ${metadataPath} has ${table.size} records`);
  }
  if (shape && (shape.length !== 2 || shape[0] !== table.size || shape[1] !== config.dim)) {
    problems.push(`${vectorsPath} has shape [${shape.join(', ')}], expected [${table.size}, ${config.dim}]`);
  }
  if (index.getDimension() !== config.dim) {
    problems.push(`${indexPath} has dimension ${index.getDimension()} but ${configPath} says ${config.dim}`);
  }
  if (config.count !== table.size) {
    problems.push(`${configPath} counts ${config.count} vectors but ${metadataPath} has ${table.size}`);
  }
  if (problems.length) throw new Error(`index generation ${dir} is inconsistent: ${problems.join('; ')}; ${RERUN_HINT}`);
  return { config, table, vectors, index };
}
