import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { liveGenerationDir } from '../core/workspace/generations';
import { workspacePaths } from '../core/workspace/workspace';
import { PHASES, type PhaseName, type PhaseState } from '../shared/ipc-contract';

/** A phase's output on disk: the file that proves it ran, and what to say about it. */
interface Evidence {
  file: string;
  describe(json: Record<string, unknown>): { count: number; message: string };
}

const len = (value: unknown): number => (Array.isArray(value) ? value.length : 0);
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const obj = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/** The live generation's folder; a `current` that cannot be read shows as no output (its phase's readers say why). */
function liveOutputs(dir: string): string {
  try {
    return liveGenerationDir(dir);
  } catch {
    return dir;
  }
}

function evidence(workspace: string): Record<PhaseName, Evidence> {
  const paths = workspacePaths(workspace);
  return {
    crops: { file: paths.cropsMetadata, describe: (j) => ({ count: len(j.crops), message: `${len(j.crops)} crops from ${len(j.photos)} photos` }) },
    contexts: { file: paths.contexts, describe: (j) => ({ count: len(j.crops), message: `${len(j.crops)} crop contexts` }) },
    embeddings: {
      file: join(liveOutputs(paths.embeddingsDir), 'generation_info.json'),
      describe: (j) => ({ count: num(j.embedded), message: `${num(j.embedded)}/${num(j.crops)} crops embedded with ${String(j.model)} (${num(j.dim)} dims)` }),
    },
    index: {
      file: join(liveOutputs(paths.indexDir), 'config.json'),
      describe: (j) => ({ count: num(j.count), message: `generation ${num(j.generation)}: ${num(j.count)} vectors (${String(j.index_type)}, ${String(j.model)})` }),
    },
    validation: {
      file: join(liveOutputs(paths.validationDir), 'report.json'),
      describe: (j) => ({ count: num(obj(j.index).count), message: `filter checks ${j.passed ? 'passed' : 'FAILED'} on ${num(obj(j.index).count)} crops` }),
    },
  };
}

async function readEvidence(file: string): Promise<{ json: Record<string, unknown>; mtime: Date } | null> {
  const info = await stat(file).catch(() => null);
  if (!info) return null;
  try {
    return { json: obj(JSON.parse(await readFile(file, 'utf8'))), mtime: info.mtime };
  } catch {
    return { json: {}, mtime: info.mtime };
  }
}

/**
 * Each phase as the workspace's files show it, for phases this session has not run: done (with counts and when it
 * was written) when its output is there, stale (with the reason) when workspace.json says its input changed since,
 * idle ("not run yet") when it is not there. The app's memory plays no part, so
 * opening another workspace shows only that workspace's state.
 */
export async function diskPhaseStates(workspace: string): Promise<Partial<Record<PhaseName, PhaseState>>> {
  const all = evidence(workspace);
  // Whether an output that is there is still up to date: workspace.json's phase states (see phase-states.ts).
  const { workspacePhaseStates } = await import('../core/pipeline/phase-states');
  const conditions = await workspacePhaseStates(workspace);
  const states: Partial<Record<PhaseName, PhaseState>> = {};
  for (const phase of PHASES) {
    const { file, describe } = all[phase];
    const found = await readEvidence(file).catch(() => null);
    const base = { phase, current: null, problems: [] };
    if (!found) {
      states[phase] = { ...base, status: 'idle', done: 0, total: 0, message: 'not run yet in this workspace' };
      continue;
    }
    const { count, message } = describe(found.json);
    const when = typeof found.json.generated_at === 'string' ? found.json.generated_at : typeof found.json.created_at === 'string' ? found.json.created_at : found.mtime.toISOString();
    const { reason } = conditions[phase];
    states[phase] = { ...base, status: reason ? 'stale' : 'done', staleReason: reason, done: count, total: count, message: `on disk: ${message}; written ${when.replace('T', ' ').slice(0, 16)} UTC` };
  }
  return states;
}
