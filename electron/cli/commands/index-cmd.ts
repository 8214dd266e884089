import { buildIndex, DEFAULT_FLAT_THRESHOLD, type IndexConfig } from '../../core/index';
import { workspacePaths } from '../../core/workspace/workspace';
import { UsageError, type Command } from '../command';

export const indexCommand: Command = {
  name: 'index',
  summary: 'Phase 4: build the FAISS index from the embeddings (exact Flat, or HNSW above --flat-threshold vectors)',
  usage: `carlens index [--flat-threshold N (default ${DEFAULT_FLAT_THRESHOLD})] [--json] [--workspace DIR]`,
  options: {
    'flat-threshold': { type: 'string' },
  },
  writesWorkspace: true,
  async run(context) {
    if (context.positionals.length) throw new UsageError('index takes no positional arguments');
    const raw = context.values['flat-threshold'];
    const flatThreshold = raw === undefined ? undefined : Number(raw);
    if (flatThreshold !== undefined && (!Number.isInteger(flatThreshold) || flatThreshold < 0)) {
      throw new UsageError(`--flat-threshold must be a non-negative integer, not ${String(raw)}`);
    }
    const started = performance.now();
    const config = await buildIndex({
      workspace: context.workspace,
      flatThreshold,
      onProgress: (stage) => context.stderr.write(`index: ${stage}\n`),
    });
    const seconds = (performance.now() - started) / 1000;
    if (context.json) context.stdout.write(`${JSON.stringify({ ...config, build_seconds: seconds }, null, 2)}\n`);
    else context.stdout.write(formatIndex(config, workspacePaths(context.workspace).indexDir, seconds));
    return 0;
  },
};

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatIndex(config: IndexConfig, indexDir: string, seconds: number): string {
  const { self_check: check, sizes } = config;
  const type =
    config.index_type === 'flat'
      ? 'Flat (exact inner product)'
      : `HNSW (M ${config.faiss.hnsw?.m}, efConstruction ${config.faiss.hnsw?.ef_construction}, efSearch ${config.faiss.hnsw?.ef_search})`;
  const rows: [string, string][] = [
    ['vectors', `${config.count}${config.skipped_rejected ? ` (${config.skipped_rejected} rejected crops left out)` : ''}`],
    ['model', `${config.model}, dim ${config.dim}, fusion ${config.fusion ?? 'n/a'}`],
    ['type', type],
    ['size', `index ${megabytes(sizes.index_bytes)}, vectors ${megabytes(sizes.vectors_bytes)}, metadata ${megabytes(sizes.metadata_bytes)}`],
    ['self-check', `${check.passed}/${check.sampled} found themselves first (min self-score ${check.min_self_score?.toFixed(5) ?? 'n/a'})`],
    ['written', `${indexDir}/gen-${config.generation} in ${seconds.toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
