import { basename, resolve } from 'node:path';
import type { DatasetSource } from './sources';
import { NoWorkspaceSourcesError, workspaceSources, type PrefixedSource } from './workspace-sources';

export interface RunSourcesOptions {
  /** Phase 1 may replace the workspace's sources with the given ones (`--replace`). */
  replace?: boolean;
  /** Sources for a workspace that has none yet when none are given (the CLI's: the shared datasets). */
  fallback?: () => DatasetSource[];
}

const describe = (sources: readonly { path: string }[]) => sources.map((s) => basename(s.path)).join(', ');

/**
 * The sources a pipeline run covers: always all of the workspace's (a phase covers every source). None given: the
 * workspace's own, as recorded. Given ones must be the workspace's (a state given must match the recorded one);
 * another set is refused before anything is written, unless `replace`, since phase 1 would drop the crops of the
 * sources left out, or crop folders the workspace does not list. Sources change explicitly: `source add|remove`.
 */
export async function sourcesForRun(workspace: string, given: readonly DatasetSource[] | undefined, options: RunSourcesOptions = {}): Promise<DatasetSource[]> {
  let recorded: PrefixedSource[] = [];
  try {
    recorded = await workspaceSources(workspace);
  } catch (error) {
    if (!(error instanceof NoWorkspaceSourcesError)) throw error;
  }
  if (!given || given.length === 0) {
    if (recorded.length > 0) return recorded;
    const fallback = options.fallback?.() ?? [];
    if (fallback.length === 0) throw new Error(`${resolve(workspace)} has no sources yet: give the dataset folders (--dataset DIR), or add them with \`source add DIR\``);
    return fallback;
  }
  if (recorded.length === 0 || options.replace) return [...given];
  const byPath = new Map(recorded.map((s) => [resolve(s.path), s]));
  const differs =
    given.length !== recorded.length ||
    given.some((g) => {
      const known = byPath.get(resolve(g.path));
      return !known || (g.state !== undefined && g.state !== known.state);
    });
  if (differs) {
    throw new Error(
      `${resolve(workspace)} has the sources ${describe(recorded)} (${recorded.map((s) => `${s.path}${s.state ? `=${s.state}` : ''}`).join(', ')}); ` +
        `--dataset names ${describe(given)}. A run covers all of a workspace's sources: add or remove sources explicitly ` +
        '(`source add DIR`, `source remove DIR --yes`), run without --dataset, or replace them all with --replace; nothing was written',
    );
  }
  // The recorded reading (label map, zone table, id prefix) in the recorded order: the crops' dataset and ids stay.
  return recorded;
}
