import type { Dataset } from '../dataset/model';
import { cropOrigin, type CropRecord } from './crop-record';
import type { PhotoCropEntry } from './metadata';

export interface CropsSummary {
  metadataPath: string;
  /** Photos of the dataset given, and how many of each state. */
  photos: number;
  damagedPhotos: number;
  undamagedPhotos: number;
  /** Photos cropped in this run, and photos whose crops were already up to date. */
  processed: number;
  skippedUpToDate: number;
  /**
   * Crops by origin: clustered around defects, grid over undamaged photos, clean windows of damaged photos
   * (grid cuts without damage, away from it).
   */
  crops: { clustered: number; grid: number; cleanWindows: number; total: number };
  /**
   * Mean crops per photo (null when the branch has no photo): clustered and clean windows per damaged photo,
   * grid per undamaged photo.
   */
  cropsPerPhoto: { damaged: number | null; undamaged: number | null; cleanWindows: number | null };
  /** Damaged photos with at least one clean window. */
  damagedWithCleanWindow: number;
  failures: { file: string; message: string }[];
  /** Undamaged photos whose car was found by the detector / undamaged photos located (null when none). */
  detectorHitRate: number | null;
  /** Undamaged photos where no car was found and the central region was used. */
  fallbackPhotos: string[];
  /** Undamaged photos where no grid window was car enough. */
  photosWithoutGridCrop: string[];
  /** Damaged photos without any damage shape, hence no crop. */
  damagedWithoutCrop: string[];
  /**
   * Crop ids of review decisions (review/journal.json) that no crop has after this run: kept in the journal,
   * applied to no other crop (also said in warnings).
   */
  orphanedReview: string[];
  /** Things that did not stop the run (e.g. unreadable previous metadata, which was then ignored). */
  warnings: string[];
}

export interface RunCounts {
  metadataPath: string;
  processed: number;
  skipped: number;
  failures: CropsSummary['failures'];
  orphanedReview: string[];
  warnings: string[];
}

export function summarizeCrops(
  dataset: Dataset,
  entries: Map<string, PhotoCropEntry>,
  crops: Map<string, CropRecord[]>,
  run: RunCounts,
): CropsSummary {
  const photos = dataset.photos.map((p) => ({ photo: p, entry: entries.get(p.id)!, records: crops.get(p.id) ?? [] }));
  const damaged = photos.filter((p) => p.photo.state === 'damaged');
  const undamaged = photos.filter((p) => p.photo.state === 'undamaged');
  const located = undamaged.filter((p) => p.entry.car);
  const count = (list: typeof photos, origin: ReturnType<typeof cropOrigin>) =>
    list.reduce((n, p) => n + p.records.filter((r) => cropOrigin(r) === origin).length, 0);
  const clustered = count(damaged, 'defect_cluster');
  const cleanWindows = count(damaged, 'damaged_photo_clean_window');
  const grid = count(undamaged, 'undamaged_photo_grid');
  const ok = (list: typeof photos) => list.filter((p) => p.entry.status !== 'failed');
  const mean = (n: number, photoCount: number) => (photoCount ? n / photoCount : null);
  return {
    metadataPath: run.metadataPath,
    photos: photos.length,
    damagedPhotos: damaged.length,
    undamagedPhotos: undamaged.length,
    processed: run.processed,
    skippedUpToDate: run.skipped,
    crops: { clustered, grid, cleanWindows, total: clustered + grid + cleanWindows },
    cropsPerPhoto: {
      damaged: mean(clustered, ok(damaged).length),
      undamaged: mean(grid, ok(undamaged).length),
      cleanWindows: mean(cleanWindows, ok(damaged).length),
    },
    damagedWithCleanWindow: damaged.filter((p) => p.records.some((r) => cropOrigin(r) === 'damaged_photo_clean_window')).length,
    failures: run.failures,
    detectorHitRate: located.length ? located.filter((p) => p.entry.car?.method === 'detector').length / located.length : null,
    fallbackPhotos: located.filter((p) => p.entry.car?.method === 'fallback_center').map((p) => p.photo.fileName),
    photosWithoutGridCrop: undamaged.filter((p) => p.entry.status === 'no_crops').map((p) => p.photo.fileName),
    damagedWithoutCrop: damaged.filter((p) => p.entry.status === 'no_crops').map((p) => p.photo.fileName),
    orphanedReview: run.orphanedReview,
    warnings: run.warnings,
  };
}
