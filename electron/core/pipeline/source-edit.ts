import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { readCropsMetadata, writeCropsMetadata, type CropsMetadata } from '../crops/metadata';
import { readJournal } from '../review/journal';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { combineSources, outputFingerprint, sourcesFingerprint } from '../workspace/fingerprint';
import { readJsonFile } from '../workspace/json-file';
import { withWorkspaceLock } from '../workspace/lock';
import { MANIFEST_PHASES, updateWorkspaceManifest, withPrefixes, type RecordedSource } from '../workspace/manifest';
import { workspacePaths } from '../workspace/workspace';
import { checkSourceFolder, type SourceSettings } from './source-check';
import { NoWorkspaceSourcesError, workspaceSources, type PrefixedSource } from './workspace-sources';

/** True when `file` lies in the source folder `root` (sources are read flat, so its photos sit right inside). */
export const inSource = (root: string, file: string): boolean => resolve(file).startsWith(`${resolve(root)}${sep}`);

/** The workspace's sources, or none for a workspace nothing was added to or cropped into yet. */
async function currentSources(workspace: string): Promise<PrefixedSource[]> {
  try {
    return await workspaceSources(workspace);
  } catch (error) {
    if (error instanceof NoWorkspaceSourcesError) return [];
    throw error;
  }
}

/**
 * Adds a dataset folder to the workspace's sources (workspace.json), checked first (see checkSourceFolder): nothing
 * is written for a folder that is missing, not a folder, empty or read with a bad label map or zone table, nor for
 * one already there. Nothing is cropped: phase 1 then shows stale ("source … added") until it runs over all sources.
 */
export function addWorkspaceSource(workspace: string, settings: SourceSettings): Promise<{ source: RecordedSource; photos: number }> {
  return withWorkspaceLock(workspace, `source add ${settings.path}`, async () => {
    const sources = await currentSources(workspace);
    const path = resolve(settings.path);
    const same = sources.find((s) => resolve(s.path) === path);
    if (same) throw new Error(`${path} is already a source of ${workspacePaths(workspace).root}`);
    const namesake = sources.find((s) => basename(s.path) === basename(path));
    if (namesake) throw new Error(`${workspacePaths(workspace).root} already has a source named '${basename(path)}' (${namesake.path}); photo ids carry the folder name, so rename one of the folders`);
    const { source, dataset } = await checkSourceFolder(settings);
    const metadata = await readCropsMetadata(workspacePaths(workspace).cropsMetadata);
    const cropped = (metadata?.crops.length ?? 0) > 0;
    const now = new Date().toISOString();
    // Once crops exist their ids are fixed: the sources keep their prefixes and the new one takes its folder name.
    // Before, the ids are made afresh, as for folders given together.
    const prefixed = cropped ? [...sources, { ...source, prefix: basename(path) }] : withPrefixes([...sources.map(({ prefix: _, ...s }) => s), source]);
    const added_at = new Map(sources.map((s) => [resolve(s.path), 'added_at' in s ? String(s.added_at) : now]));
    let recorded!: RecordedSource;
    await updateWorkspaceManifest(workspace, `source add ${path}`, async (manifest) => {
      manifest.sources = prefixed.map((s) => ({ ...s, path: resolve(s.path), added_at: added_at.get(resolve(s.path)) ?? now }));
      recorded = manifest.sources.at(-1)!;
      // A workspace from before phase states were recorded: its crops are known to cover the other sources only.
      if (cropped && !manifest.phases.crops) {
        const { input, bySource } = await sourcesFingerprint(manifest.sources.slice(0, -1));
        manifest.phases.crops = { finished_at: null, counts: { crops: metadata!.crops.length }, input, output: outputFingerprint('crops', metadata!.crops), sources: bySource };
      }
    });
    return { source: recorded, photos: dataset.photos.length };
  });
}

export interface SourceRemoval {
  source: PrefixedSource;
  name: string;
  /** Photos of the source that phase 1 cropped (or tried), and their crops: what leaves crops.json and contexts.json. */
  photos: number;
  crops: number;
  /** Review decisions on those crops: they stay in the journal, reported as orphaned by later phases. */
  reviewDecisions: number;
}

/** What removing a source (by folder or folder name) would take away; writes nothing. */
export async function planSourceRemoval(workspace: string, which: string): Promise<SourceRemoval> {
  const sources = await currentSources(workspace);
  const source = sources.find((s) => resolve(s.path) === resolve(which)) ?? sources.find((s) => basename(s.path) === which);
  const root = workspacePaths(workspace).root;
  if (!source) throw new Error(`${which} is not a source of ${root}; its sources: ${sources.map((s) => s.path).join(', ') || 'none'}`);
  if (sources.length === 1) throw new Error(`${source.path} is the only source of ${root}: use another workspace, or replace it with \`run --dataset DIR --replace\``);
  const metadata = await readCropsMetadata(workspacePaths(workspace).cropsMetadata);
  const crops = (metadata?.crops ?? []).filter((c) => inSource(source.path, c.source_path));
  const journal = await readJournal(workspace);
  const reviewDecisions = crops.filter((c) => journal.rejected[c.crop_id] || journal.contexts[c.crop_id]).length;
  const photos = (metadata?.photos ?? []).filter((p) => inSource(source.path, p.path)).length;
  return { source, name: basename(source.path), photos, crops: crops.length, reviewDecisions };
}

const ContextsFileSchema = z.looseObject({ crops: z.array(z.looseObject({ crop_id: z.string(), source_path: z.string() })) });

/**
 * Removes a source: from workspace.json, its crops from crops.json and contexts.json, then their image files, as
 * the workspace's writer. Review decisions stay in the journal. Phases 1 and 2 are recorded as changed by the
 * removal; the phases after them (embeddings, index, validation) become stale, which is what they now are.
 */
export function removeWorkspaceSource(workspace: string, which: string): Promise<SourceRemoval> {
  return withWorkspaceLock(workspace, `source remove ${which}`, async () => {
    const removal = await planSourceRemoval(workspace, which);
    const paths = workspacePaths(workspace);
    const gone = (file: string) => inSource(removal.source.path, file);
    const kept = (await currentSources(workspace)).filter((s) => resolve(s.path) !== resolve(removal.source.path));
    const metadata = await readCropsMetadata(paths.cropsMetadata);
    let crops: CropRecord[] = [];
    if (metadata) {
      crops = metadata.crops.filter((c) => !gone(c.source_path));
      const next: CropsMetadata = { ...metadata, dataset: kept.map((s) => resolve(s.path)).join(','), crops, photos: metadata.photos.filter((p) => !gone(p.path)) };
      await writeCropsMetadata(paths.cropsMetadata, next);
    }
    const contexts = await readJsonFile(paths.contexts, ContextsFileSchema, 'a contexts file');
    const contextCrops = contexts?.crops.filter((c) => !gone(c.source_path)) ?? [];
    if (contexts) await writeJsonAtomic(paths.contexts, { ...contexts, crops: contextCrops });
    const change = `source ${removal.name} removed`;
    const outputs = { crops: metadata !== null, contexts: contexts !== null, embeddings: await hasFiles(paths.embeddingsDir), index: await hasFiles(paths.indexDir), validation: await hasFiles(paths.validationDir) };
    await updateWorkspaceManifest(workspace, change, (manifest) => {
      const addedAt = new Map(manifest.sources.map((s) => [resolve(s.path), s.added_at]));
      const now = new Date().toISOString();
      manifest.sources = kept.map((s) => ({ ...s, path: resolve(s.path), added_at: addedAt.get(resolve(s.path)) ?? now }));
      const cropsRecord = manifest.phases.crops;
      if (cropsRecord?.sources) {
        const bySource = Object.fromEntries(Object.entries(cropsRecord.sources).filter(([path]) => path !== resolve(removal.source.path)));
        Object.assign(cropsRecord, { sources: bySource, input: combineSources(bySource) });
      }
      if (cropsRecord && metadata) Object.assign(cropsRecord, { output: outputFingerprint('crops', crops), counts: { ...cropsRecord.counts, crops: crops.length }, change });
      const contextsRecord = manifest.phases.contexts;
      if (contextsRecord && contexts) {
        Object.assign(contextsRecord, { input: cropsRecord?.output ?? contextsRecord.input, output: outputFingerprint('contexts', contextCrops), counts: { ...contextsRecord.counts, crops: contextCrops.length }, change });
      }
      // Output made before this workspace recorded phase states: its input is unknown, and now certainly old.
      for (const phase of MANIFEST_PHASES.slice(2)) {
        if (!manifest.phases[phase] && outputs[phase]) manifest.phases[phase] = { finished_at: null, counts: {}, input: null, output: null };
      }
    });
    const files = (metadata?.crops ?? []).filter((c) => gone(c.source_path)).map((c) => join(paths.root, c.crop_path));
    await Promise.all(files.map((file) => rm(file, { force: true })));
    return removal;
  });
}

async function hasFiles(dir: string): Promise<boolean> {
  return existsSync(dir) && (await readdir(dir)).length > 0;
}

/** Per source: the photos phase 1 visited (by state) and the crops it cut, from crops.json. */
export async function sourceCropCounts(workspace: string, sources: readonly { path: string }[]): Promise<Map<string, { photos: number; damaged: number; undamaged: number; crops: number }>> {
  const metadata = await readCropsMetadata(workspacePaths(workspace).cropsMetadata);
  return new Map(
    sources.map((s) => {
      const photos = (metadata?.photos ?? []).filter((p) => inSource(s.path, p.path));
      return [resolve(s.path), {
        photos: photos.length,
        damaged: photos.filter((p) => p.state === 'damaged').length,
        undamaged: photos.filter((p) => p.state === 'undamaged').length,
        crops: (metadata?.crops ?? []).filter((c) => inSource(s.path, c.source_path)).length,
      }];
    }),
  );
}
