import { runCrops, type CropsSummary } from '../crops';
import { loadDataset } from '../dataset/load';
import { summarizeDataset, type ScanSummary } from '../dataset/summary';
import { mergeDatasets, type DatasetSource } from './sources';

/** The phases `run` can execute, in order. */
export const PIPELINE_PHASES = ['crops'] as const;
export type PipelinePhase = (typeof PIPELINE_PHASES)[number];

export interface PipelineProgress {
  phase: PipelinePhase;
  done: number;
  total: number;
  current: string | null;
}

export interface PipelineOptions {
  sources: DatasetSource[];
  workspace: string;
  phases?: readonly PipelinePhase[];
  force?: boolean;
  onProgress?: (progress: PipelineProgress) => void;
  signal?: AbortSignal;
}

export interface PipelineSummary {
  scans: ScanSummary[];
  crops?: CropsSummary;
}

/**
 * Loads every source folder, then runs the asked phases over all of them as one dataset. Each phase keeps
 * finished work on disk, so a run that was stopped picks up where it was.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineSummary> {
  const phases = options.phases ?? PIPELINE_PHASES;
  const datasets = [];
  for (const source of options.sources) datasets.push(await loadDataset(source.path, source));
  const summary: PipelineSummary = { scans: datasets.map(summarizeDataset) };
  const dataset = mergeDatasets(datasets);
  if (phases.includes('crops')) {
    summary.crops = await runCrops({
      dataset,
      workspace: options.workspace,
      force: options.force,
      onProgress: options.onProgress,
      signal: options.signal,
    });
  }
  return summary;
}
