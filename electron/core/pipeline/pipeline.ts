import { resolve } from 'node:path';
import { runContexts, type ContextsResult } from '../contexts';
import { runCrops, type CropsSummary } from '../crops';
import { loadDataset } from '../dataset/load';
import { summarizeDataset, type ScanSummary } from '../dataset/summary';
import { runEmbeddings, type EmbeddingsSummary } from '../embedder/run';
import { buildIndex, type IndexConfig } from '../index';
import { runValidation, type ValidationReport } from '../validation';
import { withWorkspaceLock } from '../workspace/lock';
import { sourcesForRun } from './run-sources';
import { mergeDatasets, type DatasetSource } from './sources';
import { withPrefixes } from '../workspace/manifest';

/** The phases `run` can execute, in the design's order (1 crops … 5 validation). */
export const PIPELINE_PHASES = ['crops', 'contexts', 'embed', 'index', 'validate'] as const;
export type PipelinePhase = (typeof PIPELINE_PHASES)[number];

export interface PipelineProgress {
  phase: PipelinePhase;
  done: number;
  total: number;
  current: string | null;
}

export interface PipelineOptions {
  /**
   * The dataset folders; they must be the workspace's own (see sourcesForRun). Absent: the workspace's recorded
   * sources, or for a workspace with none yet `fallbackSources`.
   */
  sources?: DatasetSource[];
  fallbackSources?: () => DatasetSource[];
  workspace: string;
  phases?: readonly PipelinePhase[];
  force?: boolean;
  /** Phase 1 may replace the crops of another dataset the workspace holds (see RunCropsOptions). */
  replaceOtherDataset?: boolean;
  /** Phase 3's embedding model manifest (default: the offline model). */
  modelManifest?: string;
  onProgress?: (progress: PipelineProgress) => void;
  signal?: AbortSignal;
}

export interface PipelineSummary {
  scans: ScanSummary[];
  crops?: CropsSummary;
  contexts?: Omit<ContextsResult, 'crops'> & { crops: number };
  embeddings?: EmbeddingsSummary;
  index?: IndexConfig;
  validation?: ValidationReport;
  /** Wall time of each phase that ran. */
  seconds: Partial<Record<PipelinePhase, number>>;
}

/**
 * Runs the asked phases in order over all source folders as one dataset. Each phase reads what the previous one
 * left in the workspace and keeps its finished work on disk, so a stopped run picks up where it was.
 * The whole run holds the workspace lock (each phase re-enters it), so no other writer slips in between phases.
 */
export function runPipeline(options: PipelineOptions): Promise<PipelineSummary> {
  const phases = PIPELINE_PHASES.filter((p) => (options.phases ?? PIPELINE_PHASES).includes(p));
  return withWorkspaceLock(options.workspace, `pipeline run (${phases.join(', ')})`, () => runPhases(options));
}

async function runPhases(options: PipelineOptions): Promise<PipelineSummary> {
  const phases = new Set(options.phases ?? PIPELINE_PHASES);
  const { workspace, signal, onProgress } = options;
  const summary: PipelineSummary = { scans: [], seconds: {} };
  const timed = async <T>(phase: PipelinePhase, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    summary.seconds[phase] = (performance.now() - started) / 1000;
    return result;
  };
  const given = options.sources?.length ? options.sources : undefined;
  // Checked before any phase writes: a run over other folders than the workspace's is refused here.
  const sources = phases.has('crops') || given ? await sourcesForRun(workspace, given, { replace: options.replaceOtherDataset, fallback: options.fallbackSources }) : [];
  if (phases.has('crops')) {
    const prefixed = withPrefixes(sources.map((source) => ({
      ...source,
      path: resolve(source.path),
      labelMap: source.labelMap && resolve(source.labelMap),
      zones: source.zones && resolve(source.zones),
    })));
    const datasets = [];
    for (const source of prefixed) datasets.push(await loadDataset(source.path, source));
    summary.scans = datasets.map(summarizeDataset);
    const dataset = mergeDatasets(datasets, prefixed.map((s) => s.prefix));
    summary.crops = await timed('crops', () => runCrops({
        dataset,
        workspace,
        force: options.force,
        replaceOtherDataset: options.replaceOtherDataset,
        sources: prefixed,
        onProgress,
        signal,
      }));
  }
  if (phases.has('contexts')) {
    const { crops, ...rest } = await timed('contexts', () => runContexts({ workspace, onProgress, signal }));
    summary.contexts = { ...rest, crops: crops.length };
  }
  if (phases.has('embed')) {
    summary.embeddings = await timed('embed', () => runEmbeddings({ workspace, manifestPath: options.modelManifest, onProgress, signal }));
  }
  if (phases.has('index')) {
    signal?.throwIfAborted();
    summary.index = await timed('index', () =>
      buildIndex({
        workspace,
        expectedModel: summary.embeddings?.model,
        onProgress: (stage) => onProgress?.({ phase: 'index', done: 0, total: 1, current: stage }),
      }),
    );
  }
  if (phases.has('validate')) {
    summary.validation = await timed('validate', () =>
      runValidation({
        workspace,
        signal,
        onProgress: (p) => onProgress?.({ phase: 'validate', done: p.done, total: p.total, current: p.stage }),
      }),
    );
  }
  return summary;
}
