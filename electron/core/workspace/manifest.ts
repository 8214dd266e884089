import { z } from 'zod';
import { writeJsonAtomic } from './atomic-write';
import { readJsonFile } from './json-file';
import { workspacePaths } from './workspace';

/** A dataset folder the workspace's crops come from, with how it was read (the loader's options). */
export const WorkspaceSourceSchema = z.object({
  path: z.string(),
  labelMap: z.string().optional(),
  zones: z.string().optional(),
  state: z.enum(['damaged', 'undamaged']).optional(),
});
export type WorkspaceSource = z.infer<typeof WorkspaceSourceSchema>;

export const WorkspaceManifestSchema = z.object({
  version: z.literal(1),
  /** The folders phase 1 last cropped, together, as one dataset. */
  sources: z.array(WorkspaceSourceSchema),
  updated_at: z.string(),
});
export type WorkspaceManifest = z.infer<typeof WorkspaceManifestSchema>;

/** `workspace.json`, or null for a workspace that phase 1 has not written yet (or an older one). */
export function readWorkspaceManifest(workspace: string): Promise<WorkspaceManifest | null> {
  return readJsonFile(workspacePaths(workspace).manifest, WorkspaceManifestSchema, 'a CarLens workspace manifest');
}

/** Records the sources phase 1 cropped, so later readers (validation, the app) read them the same way. */
export async function recordWorkspaceSources(workspace: string, sources: readonly WorkspaceSource[]): Promise<void> {
  const manifest: WorkspaceManifest = { version: 1, sources: [...sources], updated_at: new Date().toISOString() };
  await writeJsonAtomic(workspacePaths(workspace).manifest, manifest);
}
