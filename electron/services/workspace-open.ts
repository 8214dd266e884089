import { resolve } from 'node:path';
import type { Dataset } from '../core/dataset/model';
import type { WorkspaceSource } from '../core/workspace/manifest';
import type { DatasetInfo } from '../shared/ipc-contract';
import { DatasetView } from './dataset-view';

export interface OpenedWorkspace {
  view: DatasetView;
  workspace: string;
  /** The sources as phase 1 read them, handed back to phase 1 when it runs again from the app. */
  sources: WorkspaceSource[];
  info: DatasetInfo;
}

/** The DatasetInfo the renderer gets for an open dataset or workspace. */
export function datasetInfo(view: DatasetView, workspace: string, kind: DatasetInfo['kind']): DatasetInfo {
  return { root: view.dataset.root, workspace, summary: view.scanSummary(), kind, sources: view.sources };
}

/**
 * A workspace the pipeline built, opened with all its sources merged as the pipeline merges them (see
 * loadWorkspaceDataset), so the app's photo ids are the crops' source_image and the index's.
 */
export async function openWorkspaceFolder(path: string): Promise<OpenedWorkspace> {
  const workspace = resolve(path);
  const { loadWorkspaceDataset } = await import('../core/pipeline/workspace-sources');
  const { summarizeDataset } = await import('../core/dataset/summary');
  const { dataset, parts, sources } = await loadWorkspaceDataset(workspace);
  const view = new DatasetView(dataset, summarizeDataset(dataset), parts as Dataset[]);
  return { view, workspace, sources, info: datasetInfo(view, workspace, 'workspace') };
}
