import type { Dataset } from '../core/dataset/model';
import type { WorkspaceSource } from '../core/workspace/manifest';
import type { PhaseName } from '../shared/ipc-contract';

export interface PhaseContext {
  dataset: Dataset;
  workspace: string;
  /** Set for an opened workspace, whose phase 1 reads its sources from workspace.json (absent: the dataset's folder). */
  sources?: WorkspaceSource[];
  signal: AbortSignal;
  progress(done: number, total: number, current: string | null): void;
}

export interface PhaseOutcome {
  message: string;
  problems: { file: string; message: string }[];
}

export type PhaseImpl = (ctx: PhaseContext) => Promise<PhaseOutcome>;

/** Thrown for a phase or call whose core module has not been written yet. */
export class NotAvailableError extends Error {
  override name = 'NotAvailableError';
}

// Core modules are imported when a phase runs: the bridge starts at once, and onnxruntime is only loaded
// by the phases that need it.
const crops: PhaseImpl = async ({ dataset: opened, workspace, sources: openedSources, signal, progress }) => {
  const { runCrops } = await import('../core/crops');
  // An opened workspace is read again from its files: phase 1 covers every source it has now, added or removed
  // since it was opened (by the CLI too), with the recorded photo-id prefixes.
  const { loadWorkspaceDataset } = await import('../core/pipeline/workspace-sources');
  const { dataset, sources } = openedSources ? await loadWorkspaceDataset(workspace) : { dataset: opened, sources: undefined };
  const s = await runCrops({ dataset, workspace, sources, signal, onProgress: (p) => progress(p.done, p.total, p.current) });
  return {
    message: `${s.crops.total} crops (${s.crops.clustered} clustered, ${s.crops.grid} grid, ${s.crops.cleanWindows} clean windows) from ${s.photos} photos; ${s.processed} processed, ${s.skippedUpToDate} up to date`,
    problems: [
      ...s.failures,
      ...s.damagedWithoutCrop.map((file) => ({ file, message: 'damaged photo without a damage shape: no crop' })),
      ...s.fallbackPhotos.map((file) => ({ file, message: 'no car detected: central region used' })),
      ...s.warnings.map((message) => ({ file: '', message })),
    ],
  };
};

const contexts: PhaseImpl = async ({ workspace, signal, progress }) => {
  const { runContexts } = await import('../core/contexts');
  const r = await runContexts({ workspace, signal, onProgress: (p) => progress(p.done, p.total, p.current) });
  return {
    message: `${r.crops.length} crop contexts; ${r.shortened} shortened to fit, ${r.edited} edited by hand`,
    problems: r.failures.map((f) => ({ file: f.file, message: `${f.crop_id}: ${f.message}` })),
  };
};

const embeddings: PhaseImpl = async ({ workspace, signal, progress }) => {
  const { runEmbeddings } = await import('../core/embedder/run');
  const s = await runEmbeddings({ workspace, signal, onProgress: (p) => progress(p.done, p.total, p.current) });
  return {
    message: `${s.embedded}/${s.crops} crops embedded with ${s.model} (${s.dim} dims, ${s.provider}); ${s.withoutText} without text`,
    problems: s.failures.map((f) => ({ file: f.file, message: f.message })),
  };
};

const index: PhaseImpl = async ({ workspace, signal, progress }) => {
  const { buildIndex } = await import('../core/index');
  const stages = ['reading', 'adding', 'checking', 'writing'];
  signal.throwIfAborted();
  const config = await buildIndex({ workspace, onProgress: (stage) => progress(stages.indexOf(stage) + 1, stages.length, stage) });
  return {
    message: `generation ${config.generation}: ${config.count} vectors (${config.index_type}, ${config.model}), ${config.skipped_rejected} rejected left out; self-check ${config.self_check.passed}/${config.self_check.sampled}`,
    problems: [],
  };
};

const validation: PhaseImpl = async ({ workspace, signal, progress }) => {
  const { runValidation, validationReportPaths } = await import('../core/validation');
  const report = await runValidation({ workspace, signal, onProgress: (p) => progress(p.done, p.total, p.stage) });
  return {
    message: `index generation ${report.index.generation} (${report.index.count} crops): filter checks ${report.passed ? 'passed' : 'FAILED'}; report ${validationReportPaths(workspace).html}`,
    problems: report.filter_checks.violations.map((v) => ({ file: v.query_crop_id, message: `filter check '${v.check}' (${v.kind}): ${v.detail}` })),
  };
};

/** Phase implementations; null where the core has no such phase yet. */
export const PHASE_IMPLS: Record<PhaseName, PhaseImpl | null> = {
  crops,
  contexts,
  embeddings,
  index,
  validation,
};
