import { describeCrop, type TokenBudget } from '../contexts/describe';
import type { CropRecord } from '../crops/crop-record';
import type { BBox } from '../dataset/model';
import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';
import { ZONE_IDS, ZONES, type ZoneId } from '../domain/zones';
import { seededRandom } from '../fixture/random';

const PHOTO = { width: 1200, height: 900 };
const TYPES = DAMAGE_TYPES.filter((t) => t !== 'unspecified_damage');
/** Crops with two damage types, as one impact often leaves (a dent with its scratches). */
const PAIRS: [DamageType, DamageType][] = [
  ['dent', 'surface_scratch'],
  ['crack', 'missing_part'],
  ['deep_scratch', 'paint_peeling'],
];
const CLEAN_PER_SLOT = 3;

/**
 * Crop records with phase 2's own contexts (describeCrop) for every zone (and unknown zone) × the three parts of
 * each zone × clean, every damage type (one and two defects) and common pairs: every label the benchmark
 * phrases ask for exists at least five times, which the shared datasets cannot give (their typed damage has no
 * zone). The text side of a search only sees contexts, and contexts are written from these labels by the same
 * template as on real crops, so this corpus measures the text search as the app runs it.
 */
export function domainCorpus(budget: TokenBudget, seed = 12): CropRecord[] {
  const random = seededRandom(seed);
  const records: CropRecord[] = [];
  const zones: (ZoneId | null)[] = [...ZONE_IDS, null];
  for (const zone of zones) {
    for (let third = 0; third < 3; third++) {
      const centre = (third + 0.5) / 3;
      const add = (types: DamageType[], defectsPerType: number) => {
        const defects = types.flatMap((damageType) =>
          Array.from({ length: defectsPerType }, () => ({ damageType, label: damageType, bbox: box(random, centre) })),
        );
        const record = corpusRecord(records.length, zone, centre, defects);
        const context = describeCrop(record, PHOTO, budget);
        records.push({ ...record, specific_part: context.specific_part, text_description: context.text_description });
      };
      for (let i = 0; i < CLEAN_PER_SLOT; i++) add([], 0);
      for (const type of TYPES) for (const count of [1, 2]) add([type], count);
      for (const pair of PAIRS) add(pair, 1);
    }
  }
  return records;
}

/** A defect box around the crop centre, sometimes far from the others (so both spatial patterns occur). */
function box(random: () => number, centre: number): BBox {
  const spread = random() < 0.5 ? 40 : 400;
  return {
    x: Math.round(centre * PHOTO.width + (random() - 0.5) * spread),
    y: Math.round(centre * PHOTO.height + (random() - 0.5) * spread),
    width: 30 + Math.round(random() * 60),
    height: 30 + Math.round(random() * 60),
  };
}

function corpusRecord(i: number, zone: ZoneId | null, centre: number, defects: CropRecord['defects']): CropRecord {
  const types = [...new Set(defects.map((d) => d.damageType))];
  const bbox = { x: 0, y: 0, width: 448, height: 448 };
  return {
    crop_id: `corpus-${String(i).padStart(4, '0')}`,
    crop_path: `crops/images/corpus-${i}.jpg`,
    source_image: `corpus-photo-${Math.floor(i / 3)}`,
    source_path: `/corpus/photo-${Math.floor(i / 3)}.jpg`,
    has_damage: defects.length > 0,
    vehicle_zone: zone === null ? null : String(zone),
    zone_description: zone === null ? null : ZONES[zone].description,
    zone_area: zone === null ? null : ZONES[zone].area,
    crop_type: defects.length ? 'clustered' : 'grid',
    origin: defects.length ? 'defect_cluster' : 'undamaged_photo_grid',
    crop_size: [448, 448],
    bbox,
    defects,
    damage_types: types,
    damage_count: defects.length,
    // Where in the zone the crop is: describeCrop names the part from it (top / centre / bottom, or along the side).
    grid_position: { col: 0, row: 0, rel_x: centre, rel_y: centre },
    car_ratio: null,
    car_ratio_method: null,
    car_fallback: false,
  };
}
