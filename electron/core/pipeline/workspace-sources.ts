import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readCropsMetadata } from '../crops/metadata';
import { loadDataset } from '../dataset/load';
import type { Dataset } from '../dataset/model';
import { readWorkspaceManifest, withPrefixes, type WorkspaceSource } from '../workspace/manifest';
import { workspacePaths } from '../workspace/workspace';
import { defaultSources, mergeDatasets } from './sources';

/** Why a folder cannot be opened as a workspace: no pipeline output to read its sources from. */
export class NoWorkspaceSourcesError extends Error {
  override name = 'NoWorkspaceSourcesError';
}

/** A source with its photo-id prefix settled (see WorkspaceSource.prefix). */
export type PrefixedSource = WorkspaceSource & { prefix: string | null };

/**
 * The dataset folders of a workspace, read as phase 1 reads them: the sources workspace.json records; for an older
 * workspace without one, the folders crops.json names (the shared folders with their stated photo state, others by
 * their damage shapes). Throws NoWorkspaceSourcesError when it has neither file.
 */
export async function workspaceSources(workspace: string): Promise<PrefixedSource[]> {
  const paths = workspacePaths(workspace);
  if (!existsSync(paths.root)) throw new NoWorkspaceSourcesError(`workspace folder not found: ${paths.root}`);
  const manifest = await readWorkspaceManifest(workspace);
  if (manifest && manifest.sources.length > 0) return manifest.sources;
  const metadata = await readCropsMetadata(paths.cropsMetadata);
  if (!metadata) {
    throw new NoWorkspaceSourcesError(
      `${paths.root} holds no pipeline output yet (no workspace.json, no crops/crops.json), so it names no dataset: ` +
        'run the pipeline into it first (npm run cli -- run --workspace …), or open a dataset folder instead',
    );
  }
  const known = new Map(defaultSources().map((s) => [resolve(s.path), s]));
  return withPrefixes(metadata.dataset.split(',').map((root) => known.get(resolve(root)) ?? { path: resolve(root) }));
}

/**
 * Every source of the workspace, loaded and merged exactly as the pipeline merges them (mergeDatasets with the
 * recorded prefixes), so crop ids, photo ids and the index agree with the CLI's.
 */
export async function loadWorkspaceDataset(workspace: string): Promise<{ dataset: Dataset; parts: Dataset[]; sources: PrefixedSource[] }> {
  const sources = await workspaceSources(workspace);
  const parts: Dataset[] = [];
  for (const source of sources) parts.push(await loadDataset(source.path, source));
  return { dataset: mergeDatasets(parts, sources.map((s) => s.prefix)), parts, sources };
}
