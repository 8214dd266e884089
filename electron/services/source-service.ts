import { basename, resolve } from 'node:path';
import type { DatasetInfo, ParsedRequest, Response, WorkspaceSourceInfo } from '../shared/ipc-contract';
import type { DatasetView } from './dataset-view';

/** What the source channels need of the app: the open workspace, whether a run is going, the edit queue, reopening. */
export interface SourceHost {
  open(): { workspace: string; view: DatasetView; info: DatasetInfo };
  running(): boolean;
  /** Runs a change as the workspace's writer, queued with the review edits (see WorkspaceEdits). */
  edit<T>(workspace: string, what: string, change: () => Promise<T>): Promise<T>;
  /** Opens the workspace again from its files, so the app shows (and phase 1 covers) every source it now has. */
  reopen(workspace: string): Promise<DatasetInfo>;
}

type SourceChannel = 'listSources' | 'addSource' | 'removeSource';
type SourceHandlers = { [C in SourceChannel]: (request: ParsedRequest<C>) => Promise<Response<C>> };

/** The source channels (see the contract): the workspace's sources listed, added and removed, from its files. */
export function sourceHandlers(host: SourceHost): SourceHandlers {
  /** Sources change only on a workspace opened as one, and never under a running pipeline. */
  const changeable = (): { workspace: string } => {
    const { workspace, info } = host.open();
    if (info.kind !== 'workspace') {
      throw new Error('a dataset folder is open, not a workspace: open the workspace itself (Workspace folder) to change its sources');
    }
    if (host.running()) throw new Error('a pipeline run is in progress: change the sources when it has finished, or cancel it');
    return { workspace };
  };
  return {
    listSources: async () => ({ sources: await listSources(host.open()) }),
    addSource: async ({ path, state, labelMap, zones }) => {
      const { workspace } = changeable();
      const { addWorkspaceSource } = await import('../core/pipeline/source-edit');
      await host.edit(workspace, `CarLens app: add source ${path}`, () => addWorkspaceSource(workspace, { path, state, labelMap, zones }));
      return host.reopen(workspace);
    },
    removeSource: async ({ path, confirm }) => {
      const { workspace } = changeable();
      const { planSourceRemoval, removeWorkspaceSource } = await import('../core/pipeline/source-edit');
      const removal = confirm
        ? await host.edit(workspace, `CarLens app: remove source ${path}`, () => removeWorkspaceSource(workspace, path))
        : await planSourceRemoval(workspace, path);
      const { name, photos, crops, reviewDecisions, source } = removal;
      return { removal: { name, path: source.path, photos, crops, reviewDecisions, removed: confirm }, dataset: confirm ? await host.reopen(workspace) : null };
    },
  };
}

/** Every recorded source with its settings, the photos read from it now and what phase 1 made of it. */
async function listSources({ workspace, view }: { workspace: string; view: DatasetView }): Promise<WorkspaceSourceInfo[]> {
  const { NoWorkspaceSourcesError, workspaceSources } = await import('../core/pipeline/workspace-sources');
  const { inSource, sourceCropCounts } = await import('../core/pipeline/source-edit');
  const sources = await workspaceSources(workspace).catch((error: Error) => {
    if (error instanceof NoWorkspaceSourcesError) return [];
    throw error;
  });
  const counts = await sourceCropCounts(workspace, sources);
  return sources.map((s) => {
    const photos = view.dataset.photos.filter((p) => inSource(s.path, p.imagePath));
    const cropped = counts.get(resolve(s.path))!;
    return {
      name: basename(s.path),
      path: s.path,
      state: s.state ?? null,
      labelMap: s.labelMap ?? null,
      zones: s.zones ?? null,
      addedAt: 'added_at' in s ? String(s.added_at) : null,
      photos: photos.length,
      damaged: photos.filter((p) => p.state === 'damaged').length,
      undamaged: photos.filter((p) => p.state === 'undamaged').length,
      crops: cropped.crops,
      croppedPhotos: cropped.photos,
    };
  });
}
