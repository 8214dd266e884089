import type { BBox } from '../dataset/model';
import type { DamageType } from '../domain/damage-types';
import type { ZoneArea } from '../domain/zones';

export interface CropDefect {
  damageType: DamageType;
  label: string;
  /** In source-photo pixels. */
  bbox: BBox;
}

/**
 * Why a crop was cut: around a cluster of annotated defects; on the car grid of an undamaged photo; or as a clean
 * window of a damaged photo, away from its damage (has_damage false, like the grid crops). Kept so the clean crops
 * of damaged photos can be told apart from those of undamaged ones, e.g. to check that similarity does not just
 * separate the sources.
 */
export const CROP_ORIGINS = ['defect_cluster', 'undamaged_photo_grid', 'damaged_photo_clean_window'] as const;
export type CropOrigin = (typeof CROP_ORIGINS)[number];

/**
 * One crop, with the domain.md metadata fields. Phase 1 fills the crop part, phase 2 the context,
 * phase 3 the embedding part. Stored as JSON (snake_case, as domain.md names the fields).
 */
export interface CropRecord {
  crop_id: string;
  /** Relative to the workspace root. */
  crop_path: string;
  /** Photo id in the dataset model. */
  source_image: string;
  /** Absolute path of the source photo. */
  source_path: string;
  has_damage: boolean;
  /** "1".."10", or null when the photo's zone is unknown. */
  vehicle_zone: string | null;
  zone_description: string | null;
  zone_area: ZoneArea | null;
  /** `clustered` for defect clusters; `grid` for undamaged-photo grid crops and clean windows (both grid cuts). */
  crop_type: 'clustered' | 'grid';
  /** Written by every phase 1 run; crops.json of older runs lacks it, so read it through {@link cropOrigin}. */
  origin: CropOrigin;
  /** Size of the written crop file: [height, width]. */
  crop_size: [number, number];
  /** Region of the source photo the crop shows, in source pixels. */
  bbox: BBox;
  defects: CropDefect[];
  damage_types: DamageType[];
  damage_count: number;
  /**
   * Grid crops and clean windows: column/row in the grid and the window centre relative to the car area (0..1).
   * Clean windows come from several grids (one per window scale), so their col/row repeat across scales.
   */
  grid_position: { col: number; row: number; rel_x: number; rel_y: number } | null;
  /** Grid crops: share of the window that is car, and how it was measured. */
  car_ratio: number | null;
  car_ratio_method: 'mask' | 'box' | null;
  /** Grid crops: the photo had no detected car and the central region was used. */
  car_fallback: boolean;
  // Phase 2
  specific_part?: string;
  text_description?: string;
  context_edited?: boolean;
  // Phase 3
  embedding_index?: number;
  embedding_model?: string;
  embedding_dim?: number;
  embedding_norm?: number;
  fusion_strategy?: string;
  // Review
  rejected?: boolean;
}

/**
 * The record's origin. Records written before origins existed have none; then crops were only clustered crops of
 * damaged photos or grid crops of undamaged ones, so crop_type tells which.
 */
export function cropOrigin(record: Pick<CropRecord, 'crop_type'> & { origin?: CropOrigin }): CropOrigin {
  return record.origin ?? (record.crop_type === 'clustered' ? 'defect_cluster' : 'undamaged_photo_grid');
}
