import { join } from 'node:path';
import { cropOrigin, type CropRecord } from '../core/crops/crop-record';
import type { CropDto } from '../shared/ipc-contract';

/** A crop record as the renderer gets it; paths are absolute so they can be handed to imageUrl. */
export function cropDto(record: CropRecord, workspace: string): CropDto {
  return {
    cropId: record.crop_id,
    cropPath: join(workspace, record.crop_path),
    sourceImage: record.source_image,
    sourcePath: record.source_path,
    hasDamage: record.has_damage,
    zone: record.vehicle_zone as CropDto['zone'],
    cropType: record.crop_type,
    origin: cropOrigin(record),
    bbox: record.bbox,
    damageTypes: record.damage_types,
    context: record.text_description ?? null,
    rejected: record.rejected === true,
  };
}
