import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset, Photo } from '../dataset/model';
import type { CarLocator } from '../detector/car-locator';
import { applyJournal, orphanWarning, readJournal } from '../review/journal';
import { withWorkspaceLock } from '../workspace/lock';
import type { WorkspaceSource } from '../workspace/manifest';
import { recordPhaseOutcome } from '../workspace/phase-record';
import { workspacePaths } from '../workspace/workspace';
import { cropCleanWindows } from './clean-windows';
import { resolveCropConfig, type CropConfig, type CropConfigInput } from './config';
import type { CropRecord } from './crop-record';
import { readCropsMetadata, writeCropsMetadata, type CropsMetadata, type PhotoCropEntry } from './metadata';
import { removeUnlistedCropImages } from './orphans';
import type { DecodedPhoto } from './image';
import { cropDamagedPhoto, cropUndamagedPhoto, damageShapes } from './photo-crops';
import { planPhoto, type PhotoPlan } from './photo-plan';
import { summarizeCrops, type CropsSummary } from './summary';

export type { CropsSummary } from './summary';

/** Bumped when crop ids are made differently; part of every photo's input hash. */
const CROP_ID_SCHEME = 'content-v1';

export interface CropsProgress {
  phase: 'crops';
  done: number;
  total: number;
  /** File (relative to the dataset root) of the photo just finished. */
  current: string | null;
}

export interface RunCropsOptions {
  dataset: Dataset;
  /** Workspace root; crops go to `<workspace>/crops/`. */
  workspace: string;
  /**
   * Locates the car on undamaged photos, and on damaged ones for their clean windows. Omitted: the default
   * detector is created when needed. null: no locator; undamaged photos fail and damaged ones get no clean window.
   */
  locator?: CarLocator | null;
  config?: CropConfigInput;
  /** Redo every photo, even those whose crops are up to date. */
  force?: boolean;
  onProgress?: (progress: CropsProgress) => void;
  signal?: AbortSignal;
  /** Write the metadata after this many processed photos, so an interrupted run keeps them. */
  checkpointEvery?: number;
  /**
   * Replace the crops of another dataset (or set of datasets) that the workspace holds. Without it, phase 1 on a
   * dataset other than the workspace's is refused before anything is written: it would drop their crops and every
   * review decision on them.
   */
  replaceOtherDataset?: boolean;
  /** How the dataset was read, recorded in workspace.json (default: its folders, read with the loader's defaults). */
  sources?: WorkspaceSource[];
}

/**
 * Phase 1: clustered crops around the defects of damaged photos and clean windows away from their damage, grid
 * crops over the car of undamaged ones, and their metadata. Per-photo failures are recorded and the run goes on;
 * photos whose inputs did not change since the last run are skipped.
 */
export function runCrops(options: RunCropsOptions): Promise<CropsSummary> {
  return withWorkspaceLock(options.workspace, 'phase 1 (crops)', () => cropWorkspace(options));
}

async function cropWorkspace(options: RunCropsOptions): Promise<CropsSummary> {
  const { dataset, workspace, force = false, onProgress, signal, checkpointEvery = 20 } = options;
  const requested = resolveCropConfig(options.config);
  const paths = workspacePaths(workspace);
  const warnings: string[] = [];
  // Without a locator no clean window can be placed. The config the photos are hashed with says so, so a later
  // run with a locator redoes the damaged photos instead of taking them as up to date.
  const noCleanWindows = options.locator === null && requested.cleanWindows.enabled;
  const config: CropConfig = noCleanWindows ? { ...requested, cleanWindows: { ...requested.cleanWindows, enabled: false } } : requested;
  if (noCleanWindows && dataset.photos.some((p) => p.state === 'damaged')) {
    warnings.push('no car locator was given: damaged photos got no clean windows');
  }

  let previous: CropsMetadata | null = null;
  try {
    previous = await readCropsMetadata(paths.cropsMetadata);
  } catch (error) {
    warnings.push(`previous crops metadata ignored, every photo is redone: ${(error as Error).message}`);
  }
  if (dataset.photos.length === 0) {
    throw new Error(`${dataset.root}: no photo to crop (${dataset.problems.length} problem(s) reported by the scan); nothing was written`);
  }
  // A folder added to the workspace's sources (`source add`) drops nothing; leaving one out would.
  const roots = new Set(dataset.root.split(','));
  const dropsFolders = previous !== null && previous.dataset.split(',').some((root) => !roots.has(root));
  if (previous && dropsFolders && previous.crops.length > 0 && !options.replaceOtherDataset) {
    const held = previous.dataset.split(',').join(', ');
    throw new Error(
      `${workspace} holds ${previous.crops.length} crops of ${held}; phase 1 on ${dataset.root.split(',').join(', ')} alone would drop them. ` +
        'Run it on the same dataset(s), use another workspace, or replace them explicitly (`--replace`); nothing was written',
    );
  }
  // Crops of a dataset replaced are never reused: same photo ids can mean different photos.
  if (dropsFolders) previous = null;
  // Review decisions by stable crop id: applied to every crops.json written, so a re-cropped photo keeps them.
  const journal = await readJournal(workspace);
  const previousEntries = new Map(previous?.photos.map((p) => [p.id, p]));
  const previousCrops = groupBySource(previous?.crops ?? []);

  // Photos of the same dataset not in this run (e.g. a --state subset) keep their crops, as long as the
  // photo still exists; the metadata then describes every photo cropped so far.
  // A photo file of this run is never kept under another id (the same folder read with other photo-id prefixes).
  const inRun = new Set(dataset.photos.flatMap((p) => [p.id, p.imagePath]));
  const kept = (previous?.photos ?? []).filter(
    (p) => !inRun.has(p.id) && !inRun.has(p.path) && existsSync(p.path),
  );

  // Until a photo is visited it keeps its previous entry, so a run stopped early loses nothing.
  const entries = new Map<string, PhotoCropEntry>();
  const crops = new Map<string, CropRecord[]>();
  for (const p of [...dataset.photos.map((photo) => previousEntries.get(photo.id)), ...kept]) {
    if (!p) continue;
    entries.set(p.id, p);
    crops.set(p.id, previousCrops.get(p.id) ?? []);
  }
  const order = [...dataset.photos.map((p) => p.id), ...kept.map((p) => p.id)];

  const staleFiles = new Set<string>();
  const save = async (): Promise<void> => {
    const ids = order.filter((id) => entries.has(id));
    const metadata: CropsMetadata = {
      version: 1,
      dataset: dataset.root,
      generated_at: new Date().toISOString(),
      crops: applyJournal(ids.flatMap((id) => crops.get(id) ?? []), journal).crops,
      photos: ids.map((id) => entries.get(id)!),
    };
    await writeCropsMetadata(paths.cropsMetadata, metadata);
    // Replaced crop files go only once the metadata no longer lists them: a kill never leaves it naming a missing file.
    await Promise.all([...staleFiles].map((path) => rm(join(paths.root, path), { force: true })));
    staleFiles.clear();
  };

  let locator = options.locator;
  let ownLocator: CarLocator | null = null;
  const getLocator = async (): Promise<CarLocator> => {
    if (locator) return locator;
    if (locator === null) throw new Error('no car locator was given for undamaged photos');
    const { createCarLocator } = await import('../detector/index');
    const created = await createCarLocator({ mask: config.useMask });
    ownLocator = created;
    locator = created;
    return created;
  };

  // The id scheme is part of the key: crops.json from before content-derived ids is redone once.
  const configKey = `${JSON.stringify(config)}|crop ids: ${CROP_ID_SCHEME}`;
  let processed = 0;
  let skipped = 0;
  let sinceCheckpoint = 0;
  const failures: CropsSummary['failures'] = [];
  let visitedAll = false;
  const isUpToDate = (photo: Photo, hash: string): boolean => {
    const before = previousEntries.get(photo.id);
    const beforeCrops = previousCrops.get(photo.id) ?? [];
    return (
      !force &&
      before !== undefined &&
      before.status !== 'failed' &&
      before.input_hash === hash &&
      before.crops === beforeCrops.length &&
      beforeCrops.every((c) => existsSync(join(paths.root, c.crop_path)))
    );
  };
  const plan = (index: number): Promise<PhotoPlan> | null => {
    const photo = dataset.photos[index];
    if (!photo) return null;
    const planned = planPhoto(photo, configKey, (hash) => isUpToDate(photo, hash));
    planned.catch(() => {}); // seen when its turn comes
    return planned;
  };
  let next = plan(0);
  try {
    for (const [index, photo] of dataset.photos.entries()) {
      signal?.throwIfAborted();
      const planned = next!;
      // The next photo is hashed and decoded (on sharp's threads) while this one is cropped and its models run.
      next = plan(index + 1);
      let hash = '';
      try {
        const { fileHash, hash: photoHash, upToDate, decoded } = await planned;
        hash = photoHash;
        const beforeCrops = previousCrops.get(photo.id) ?? [];
        if (upToDate) {
          entries.set(photo.id, previousEntries.get(photo.id)!);
          crops.set(photo.id, beforeCrops);
          skipped++;
        } else {
          const { records, entry } = await cropPhoto(photo, hash, fileHash, paths.root, config, getLocator, decoded);
          queueStale(staleFiles, beforeCrops, records);
          entries.set(photo.id, entry);
          crops.set(photo.id, records);
          processed++;
          sinceCheckpoint++;
        }
      } catch (error) {
        if (signal?.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ file: photo.fileName, message });
        // A failed photo has no crops; files from an earlier success would be orphans nothing lists.
        queueStale(staleFiles, previousCrops.get(photo.id) ?? [], []);
        entries.set(photo.id, failedEntry(photo, hash, message));
        crops.set(photo.id, []);
        processed++;
        sinceCheckpoint++;
      }
      if (sinceCheckpoint >= checkpointEvery) {
        await save();
        sinceCheckpoint = 0;
      }
      onProgress?.({ phase: 'crops', done: index + 1, total: dataset.photos.length, current: photo.fileName });
    }
    visitedAll = true;
  } finally {
    // Nothing left running: a photo planned ahead of a stop is let finish decoding, and dropped.
    await (await next?.catch(() => null))?.decoded?.catch(() => {});
    // Also on abort or an unexpected error: whatever finished is kept for the next run, and recorded as interrupted.
    await save();
    const written = [...crops.values()].flat();
    const sources = options.sources ?? dataset.root.split(',').map((path) => ({ path }));
    await recordPhaseOutcome(workspace, 'crops', { records: written, counts: { photos: entries.size, crops: written.length }, sources, interrupted: !visitedAll });
    if (ownLocator) await (ownLocator as CarLocator).dispose();
  }

  // Every photo was visited and the metadata lists every crop: any other image is a leftover of a killed run.
  await removeUnlistedCropImages(paths.root, [...crops.values()].flat().map((c) => c.crop_path));

  // A decision whose crop is gone (its photo's annotation changed the box) stays in the journal, reported.
  const orphaned = applyJournal([...crops.values()].flat(), journal).orphaned;
  const orphanLine = orphanWarning(orphaned);
  if (orphanLine) warnings.push(orphanLine);
  return summarizeCrops(dataset, entries, crops, {
    metadataPath: paths.cropsMetadata,
    orphanedReview: orphaned,
    processed,
    skipped,
    failures,
    warnings,
  });
}

async function cropPhoto(
  photo: Photo,
  hash: string,
  photoHash: string,
  workspace: string,
  config: CropConfig,
  getLocator: () => Promise<CarLocator>,
  decoded: Promise<DecodedPhoto> | null,
): Promise<{ records: CropRecord[]; entry: PhotoCropEntry }> {
  const context = { workspace, config, photoHash, taken: new Set<string>(), decoded: decoded ?? undefined };
  // The models take the decoded pixels where they are exactly what they would decode themselves.
  const locate = async (locator: CarLocator) => locator.locate(photo.imagePath, (await decoded)?.modelPixels ?? undefined);
  const base = { id: photo.id, file: photo.fileName, path: photo.imagePath, state: photo.state, input_hash: hash };
  if (photo.state === 'damaged') {
    const records = await cropDamagedPhoto(photo, context);
    const { enabled, maxPerPhoto } = config.cleanWindows;
    // No damage outlined, no clean window (see chooseCleanWindows): the detector is not run for nothing.
    if (!enabled || maxPerPhoto === 0 || damageShapes(photo).length === 0) {
      return { records, entry: { ...base, status: records.length ? 'done' : 'no_crops', crops: records.length } };
    }
    const location = await locate(await getLocator());
    records.push(...(await cropCleanWindows(photo, location, context)));
    const car = { method: location.method, score: location.score, className: location.className };
    return { records, entry: { ...base, status: records.length ? 'done' : 'no_crops', crops: records.length, car } };
  }
  const location = await locate(await getLocator());
  const records = await cropUndamagedPhoto(photo, location, context);
  return {
    records,
    entry: {
      ...base,
      status: records.length ? 'done' : 'no_crops',
      crops: records.length,
      car: { method: location.method, score: location.score, className: location.className },
    },
  };
}

function failedEntry(photo: Photo, hash: string, message: string): PhotoCropEntry {
  return { id: photo.id, file: photo.fileName, path: photo.imagePath, state: photo.state, status: 'failed', crops: 0, error: message, input_hash: hash };
}

/** Crop files of a photo's previous run that the new run did not write again (e.g. fewer clusters). */
function queueStale(stale: Set<string>, before: CropRecord[], after: CropRecord[]): void {
  const now = new Set(after.map((c) => c.crop_path));
  for (const c of before) if (!now.has(c.crop_path)) stale.add(c.crop_path);
}

function groupBySource(records: CropRecord[]): Map<string, CropRecord[]> {
  const map = new Map<string, CropRecord[]>();
  for (const r of records) map.set(r.source_image, [...(map.get(r.source_image) ?? []), r]);
  return map;
}
