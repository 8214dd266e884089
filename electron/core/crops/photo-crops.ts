import { join } from 'node:path';
import type { Photo, Shape } from '../dataset/model';
import type { CarLocation } from '../detector/car-locator';
import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';
import { ZONES } from '../domain/zones';
import type { CropConfig } from './config';
import type { CropDefect, CropRecord } from './crop-record';
import { stableCropId } from './crop-id';
import { clusterDefects, cropRegionForCluster, intersectionArea } from './geometry';
import { carRatio, gridWindows, maskBounds, type CarRatio, type GridWindow } from './grid';
import { cropOutputSize, decodePhoto, writeCrop, type DecodedPhoto } from './image';

/** Crop files live here, relative to the workspace root (posix separators: the path is stored in JSON). */
export const CROP_IMAGES_DIR = 'crops/images';

export interface PhotoContext {
  workspace: string;
  config: CropConfig;
  /** sha256 of the photo file, from which crop ids are derived (see stableCropId). */
  photoHash: string;
  /** Crop ids already given on this photo in this run. */
  taken?: Set<string>;
  /** The photo decoded once for all its crops and its car locator (default: decoded where needed). */
  decoded?: Promise<DecodedPhoto>;
}

type BaseFields = Pick<CropRecord, 'source_image' | 'source_path' | 'vehicle_zone' | 'zone_description' | 'zone_area'>;

export function baseFields(photo: Photo): BaseFields {
  const zone = photo.zone === null ? null : ZONES[photo.zone];
  return {
    source_image: photo.id,
    source_path: photo.imagePath,
    vehicle_zone: zone ? String(zone.id) : null,
    zone_description: zone ? zone.description : null,
    zone_area: zone ? zone.area : null,
  };
}

export function damageShapes(photo: Photo): (Shape & { damageType: DamageType })[] {
  return photo.shapes.filter((s): s is Shape & { damageType: DamageType } => s.damageType !== null);
}

function toDefect(shape: Shape & { damageType: DamageType }): CropDefect {
  return { damageType: shape.damageType, label: shape.label, bbox: shape.bbox };
}

/** One crop per defect cluster. A photo without damage shapes gives none. */
export async function cropDamagedPhoto(photo: Photo, { workspace, config, photoHash, taken = new Set(), decoded: given }: PhotoContext): Promise<CropRecord[]> {
  const shapes = damageShapes(photo);
  if (shapes.length === 0) return [];
  const decoded = await (given ?? decodePhoto(photo.imagePath, photo));
  const records: CropRecord[] = [];
  const writes: Promise<unknown>[] = [];
  const clusters = clusterDefects(shapes, photo, config);
  for (const cluster of clusters) {
    const region = cropRegionForCluster(
      cluster.map((s) => s.bbox),
      photo,
      config,
    );
    // The crop also shows defects of other clusters that reach into it; list those mostly inside (≥ 50 %
    // of their box) so the record describes what the crop shows, not only why it was cut.
    const inside = shapes.filter((s) => {
      if (cluster.includes(s)) return true;
      const area = s.bbox.width * s.bbox.height;
      return area > 0 && intersectionArea(s.bbox, region) / area >= 0.5;
    });
    const cropId = stableCropId(photo.id, photoHash, region, 'defect_cluster', taken);
    const cropPath = `${CROP_IMAGES_DIR}/${cropId}.jpg`;
    writes.push(writeCrop(join(workspace, cropPath), decoded, region, config));
    const size = cropOutputSize(region, config.cropSize);
    const present = new Set(inside.map((s) => s.damageType));
    records.push({
      crop_id: cropId,
      crop_path: cropPath,
      ...baseFields(photo),
      has_damage: true,
      crop_type: 'clustered',
      origin: 'defect_cluster',
      crop_size: [size.height, size.width],
      bbox: region,
      defects: inside.map(toDefect),
      damage_types: DAMAGE_TYPES.filter((t) => present.has(t)),
      damage_count: inside.length,
      grid_position: null,
      car_ratio: null,
      car_ratio_method: null,
      car_fallback: false,
    });
  }
  await settleAll(writes);
  return records;
}

/**
 * Waits for every crop write of a photo, then throws the first failure. The writes run together: sharp encodes
 * them on its threads and their fsyncs overlap, where one after the other each waited for the disk.
 */
async function settleAll(writes: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The located car's mask when the config uses one; a mask of another size than the photo is a bug upstream. */
export function carMaskOf(
  photo: Pick<Photo, 'width' | 'height'> & { imagePath?: string },
  location: CarLocation,
  config: Pick<CropConfig, 'useMask'>,
): CarLocation['mask'] {
  const mask = config.useMask ? location.mask : null;
  if (mask && (mask.width !== photo.width || mask.height !== photo.height)) {
    throw new Error(`${photo.imagePath ?? 'photo'}: car mask is ${mask.width}×${mask.height}, photo is ${photo.width}×${photo.height}`);
  }
  return mask;
}

/** Grid crops over the located car; windows that are less than minCarRatio car are left out. */
export async function cropUndamagedPhoto(
  photo: Photo,
  location: CarLocation,
  context: PhotoContext,
): Promise<CropRecord[]> {
  const { config } = context;
  const mask = carMaskOf(photo, location, config);
  // With a mask the grid spans the car itself (see maskBounds); grid_position is relative to that area.
  const area = (mask && maskBounds(mask, location.box)) ?? location.box;
  const kept = gridWindows(area, photo, config)
    .map((w) => ({ ...w, car: carRatio(w.window, { box: location.box, mask }) }))
    .filter((w) => w.car.ratio >= config.minCarRatio);
  if (kept.length === 0) return [];
  return writeGridCrops(photo, kept, location, 'undamaged_photo_grid', context);
}

/** A grid window to write as a crop without damage, with the share of it that is car. */
export type CarWindow = GridWindow & { car: CarRatio };

/**
 * Writes grid windows of a photo as crops without damage (grids over undamaged photos, clean windows of damaged
 * ones): one decode of the photo, one record per window, the crops written together (see settleAll).
 */
export async function writeGridCrops<W extends CarWindow>(
  photo: Photo,
  windows: readonly W[],
  location: CarLocation,
  origin: 'undamaged_photo_grid' | 'damaged_photo_clean_window',
  { workspace, config, photoHash, taken = new Set(), decoded: given }: PhotoContext,
): Promise<CropRecord[]> {
  const decoded = await (given ?? decodePhoto(photo.imagePath, photo));
  const records: CropRecord[] = [];
  const writes: Promise<unknown>[] = [];
  for (const w of windows) {
    const cropId = stableCropId(photo.id, photoHash, w.window, origin, taken);
    const cropPath = `${CROP_IMAGES_DIR}/${cropId}.jpg`;
    writes.push(writeCrop(join(workspace, cropPath), decoded, w.window, config));
    const size = cropOutputSize(w.window, config.cropSize);
    records.push({
      crop_id: cropId,
      crop_path: cropPath,
      ...baseFields(photo),
      has_damage: false,
      crop_type: 'grid',
      origin,
      crop_size: [size.height, size.width],
      bbox: w.window,
      defects: [],
      damage_types: [],
      damage_count: 0,
      grid_position: { col: w.col, row: w.row, rel_x: w.rel_x, rel_y: w.rel_y },
      car_ratio: w.car.ratio,
      car_ratio_method: w.car.method,
      car_fallback: location.method === 'fallback_center',
    });
  }
  await settleAll(writes);
  return records;
}
