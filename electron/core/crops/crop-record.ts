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
  crop_type: 'clustered' | 'grid';
  /** Size of the written crop file: [height, width]. */
  crop_size: [number, number];
  /** Region of the source photo the crop shows, in source pixels. */
  bbox: BBox;
  defects: CropDefect[];
  damage_types: DamageType[];
  damage_count: number;
  /** Grid crops: column/row in the grid and the window centre relative to the car box (0..1). */
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
