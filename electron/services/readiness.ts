import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { workspacePaths } from '../core/workspace/workspace';
import { PHASES, type PipelineStatus } from '../shared/ipc-contract';

/** A search asked of a workspace that has no index yet: nothing is wrong, a step is missing. */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

/**
 * Refuses a search before the workspace has an index, naming the phases still to run and where to run them (a
 * missing index otherwise surfaced as phase 3's missing file, with its path, whatever else was missing).
 */
export function assertSearchable(workspace: string): void {
  const paths = workspacePaths(workspace);
  if (existsSync(join(paths.indexDir, 'current'))) return;
  const missing = !existsSync(paths.cropsMetadata)
    ? 'phases 1 (crops) to 4 (index)'
    : !existsSync(paths.contexts)
      ? 'phases 2 (contexts) to 4 (index)'
      : 'phases 3 (embeddings) and 4 (index)';
  throw new NotReadyError(`search needs this workspace's index, and there is none yet in ${workspace}: run ${missing} on the Pipeline screen (or Run all there)`);
}

/**
 * The answer to a run asked for while one is going (a double click on Run all, the menu and the button at once):
 * the status of the run that goes on, with a notice saying so, instead of an error. Null when nothing runs.
 */
export function alreadyRunning(status: PipelineStatus): PipelineStatus | null {
  if (!status.running) return null;
  const current = status.phases.find((p) => p.status === 'running') ?? status.phases.find((p) => p.status === 'queued');
  const which = current ? `phase ${PHASES.indexOf(current.phase) + 1} (${current.phase})` : 'a run';
  return { ...status, notice: `already running: ${which} is in progress and goes on; nothing was started twice. Wait for it, or cancel it to start again.` };
}
