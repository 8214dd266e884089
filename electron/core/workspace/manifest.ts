import { basename } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { z } from 'zod';
import { writeJsonAtomic } from './atomic-write';
import { readJsonFile } from './json-file';
import { withWorkspaceLock } from './lock';
import { workspacePaths } from './workspace';

/** The phases whose outcome workspace.json records, in order; each one's input is the previous one's output. */
export const MANIFEST_PHASES = ['crops', 'contexts', 'embeddings', 'index', 'validation'] as const;
export type ManifestPhase = (typeof MANIFEST_PHASES)[number];

/** A dataset folder the workspace's crops come from, with how it is read (the loader's options). */
export const WorkspaceSourceSchema = z.object({
  path: z.string(),
  labelMap: z.string().optional(),
  zones: z.string().optional(),
  state: z.enum(['damaged', 'undamaged']).optional(),
  /**
   * Photo ids of this source are `<prefix>__<stem>`; null: the plain stem. Fixed once its photos are cropped, so
   * adding or removing another source never renames its crops (nor orphans their review decisions).
   */
  prefix: z.string().nullable().optional(),
});
export type WorkspaceSource = z.infer<typeof WorkspaceSourceSchema>;

const RecordedSourceSchema = WorkspaceSourceSchema.extend({ prefix: z.string().nullable(), added_at: z.string() });
export type RecordedSource = z.infer<typeof RecordedSourceSchema>;

const PhaseRecordSchema = z.object({
  /** null: a placeholder for output made before this workspace recorded phase states (its input is unknown). */
  finished_at: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  /** Fingerprint of what the phase read: phase 1 its sources' file lists, later phases the previous output. */
  input: z.string().nullable(),
  /** Fingerprint of what the phase wrote, leaving out review decisions (they apply to the live outputs). */
  output: z.string().nullable(),
  /** Phase 1: each source's file-list fingerprint by path, to say which source changed. */
  sources: z.record(z.string(), z.string()).optional(),
  /** What changed the output outside a run of the phase, e.g. "source lot-b removed". */
  change: z.string().optional(),
  /** Phase 1 stopped before every photo was visited: what is there is partly the old crops. */
  interrupted: z.boolean().optional(),
});
export type PhaseRecord = z.infer<typeof PhaseRecordSchema>;

const ManifestV1Schema = z.object({
  version: z.literal(1),
  sources: z.array(WorkspaceSourceSchema.omit({ prefix: true })),
  updated_at: z.string(),
});

const ManifestV2Schema = z.object({
  version: z.literal(2),
  sources: z.array(RecordedSourceSchema),
  /** The embedding model phase 3 last used. */
  model: z.object({ id: z.string(), fusion: z.string().nullable(), dim: z.number() }).nullable(),
  phases: z.object({
    crops: PhaseRecordSchema.optional(),
    contexts: PhaseRecordSchema.optional(),
    embeddings: PhaseRecordSchema.optional(),
    index: PhaseRecordSchema.optional(),
    validation: PhaseRecordSchema.optional(),
  }),
  updated_at: z.string(),
});
export type WorkspaceManifest = z.infer<typeof ManifestV2Schema>;

const ManifestSchema = z.discriminatedUnion('version', [ManifestV1Schema, ManifestV2Schema]);

/**
 * The photo-id prefix of each source as mergeDatasets gives it by default: the folder name when there are several
 * sources, none for a single one. A source whose prefix is already fixed keeps it.
 */
export function withPrefixes<T extends WorkspaceSource>(sources: readonly T[]): (T & { prefix: string | null })[] {
  const fixed = sources.every((s) => s.prefix !== undefined);
  return sources.map((s) => ({ ...s, prefix: fixed ? s.prefix! : sources.length > 1 ? basename(s.path) : null }));
}

/** `workspace.json` as version 2 (a version 1 file is upgraded in memory), or null when there is none yet. */
export async function readWorkspaceManifest(workspace: string): Promise<WorkspaceManifest | null> {
  const read = await readJsonFile(workspacePaths(workspace).manifest, ManifestSchema, 'a CarLens workspace manifest');
  if (read === null || read.version === 2) return read;
  // Version 1 recorded the folders phase 1 cropped together, so their ids follow mergeDatasets' default.
  const sources = withPrefixes(read.sources).map((s) => ({ ...s, added_at: read.updated_at }));
  return { version: 2, sources, model: null, phases: {}, updated_at: read.updated_at };
}

export function emptyManifest(): WorkspaceManifest {
  return { version: 2, sources: [], model: null, phases: {}, updated_at: new Date().toISOString() };
}

/**
 * Reads, changes and writes workspace.json (always as version 2) as the workspace's writer: under the workspace
 * lock, re-entered when the caller holds it. On a worker thread (phase 3's) the thread that started the worker
 * holds the lock for it and a worker cannot re-enter it, so the change is written directly.
 */
export function updateWorkspaceManifest(workspace: string, what: string, change: (manifest: WorkspaceManifest) => void | Promise<void>): Promise<WorkspaceManifest> {
  const update = async (): Promise<WorkspaceManifest> => {
    const manifest = (await readWorkspaceManifest(workspace)) ?? emptyManifest();
    await change(manifest);
    manifest.updated_at = new Date().toISOString();
    await writeJsonAtomic(workspacePaths(workspace).manifest, manifest);
    return manifest;
  };
  return isMainThread ? withWorkspaceLock(workspace, what, update) : update();
}
