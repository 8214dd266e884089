import { beforeAll, describe, expect, it } from 'vitest';
import type { CropDefect, CropRecord } from '../crops/crop-record';
import type { BBox } from '../dataset/model';
import type { DamageType } from '../domain/damage-types';
import { ZONE_IDS, ZONES } from '../domain/zones';
import { loadClipTokenizer, type ClipTokenizer } from '../text/clip-tokenizer';
import { CLEAN_INTEGRITY, CLEAN_SURFACE, describeCrop } from './describe';
import { PART_NAMES, UNKNOWN_ZONE_PARTS, specificPart } from './parts';
import { CLUSTERED, DISTRIBUTED, ISOLATED, spatialPattern } from './pattern';

const PHOTO = { width: 1024, height: 768 };

function record(fields: Partial<CropRecord>): CropRecord {
  const zone = fields.vehicle_zone === undefined ? '4' : fields.vehicle_zone;
  const info = zone ? ZONES[Number(zone) as keyof typeof ZONES] : null;
  return {
    crop_id: 'c0',
    crop_path: 'crops/images/c0.jpg',
    source_image: 'p0',
    source_path: '/nonexistent/p0.jpg',
    has_damage: true,
    vehicle_zone: zone,
    zone_description: info?.description ?? null,
    zone_area: info?.area ?? null,
    crop_type: 'clustered',
    origin: 'defect_cluster',
    crop_size: [448, 448],
    bbox: { x: 400, y: 300, width: 200, height: 200 },
    defects: [],
    damage_types: [],
    damage_count: 0,
    grid_position: null,
    car_ratio: null,
    car_ratio_method: null,
    car_fallback: false,
    ...fields,
  };
}

const box = (x: number, y: number, width = 30, height = 20): BBox => ({ x, y, width, height });
const defect = (damageType: DamageType, bbox: BBox): CropDefect => ({ damageType, label: '?', bbox });
function damaged(defects: CropDefect[], fields: Partial<CropRecord> = {}): CropRecord {
  return record({ defects, damage_types: [...new Set(defects.map((d) => d.damageType))], damage_count: defects.length, ...fields });
}

describe('part names', () => {
  it('has 30 distinct names, three per zone', () => {
    const names = ZONE_IDS.flatMap((z) => PART_NAMES[z]);
    expect(names).toHaveLength(30);
    expect(new Set(names).size).toBe(30);
    for (const n of UNKNOWN_ZONE_PARTS) expect(names).not.toContain(n);
  });

  it('picks top/centre/bottom for zones 1-6 and front/centre/rear (mirrored per side) for 7-10', () => {
    const at = (zone: string, cx: number, cy: number) =>
      specificPart(record({ vehicle_zone: zone, bbox: { x: cx * PHOTO.width - 10, y: cy * PHOTO.height - 10, width: 20, height: 20 } }), PHOTO);
    expect(at('2', 0.5, 0.1)).toBe(PART_NAMES[2][0]);
    expect(at('2', 0.9, 0.5)).toBe(PART_NAMES[2][1]);
    expect(at('2', 0.1, 0.9)).toBe(PART_NAMES[2][2]);
    expect(at('7', 0.1, 0.9)).toBe('Driver front door panel');
    expect(at('7', 0.9, 0.1)).toBe('Driver rear door panel');
    expect(at('9', 0.9, 0.5)).toBe('Passenger front door panel');
    expect(at('9', 0.1, 0.5)).toBe('Passenger rear door panel');
  });

  it('places grid crops by their position on the car, not in the photo', () => {
    const grid = record({
      vehicle_zone: '5',
      has_damage: false,
      crop_type: 'grid',
      bbox: { x: 0, y: 0, width: 100, height: 100 }, // top-left of the photo
      grid_position: { col: 1, row: 2, rel_x: 0.5, rel_y: 0.85 },
    });
    expect(specificPart(grid, PHOTO)).toBe('Rear bumper lower valance');
  });
});

describe('spatial pattern', () => {
  it('one defect is isolated, none has no pattern', () => {
    expect(spatialPattern([box(10, 10)], PHOTO)).toBe(ISOLATED);
    expect(spatialPattern([], PHOTO)).toBeNull();
  });

  it('close defects are clustered, spread ones distributed, the same at twice the resolution', () => {
    // Diagonal 1280 px: the farthest gap 100 px (7.8 %) vs 400 px (31 %).
    const close = [box(400, 300), box(460, 320), box(530, 300)];
    const spread = [box(100, 300), box(530, 300), box(900, 600)];
    expect(spatialPattern(close, PHOTO)).toBe(CLUSTERED);
    expect(spatialPattern(spread, PHOTO)).toBe(DISTRIBUTED);
    const double = (b: BBox) => ({ x: b.x * 2, y: b.y * 2, width: b.width * 2, height: b.height * 2 });
    const big = { width: 2048, height: 1536 };
    expect(spatialPattern(close.map(double), big)).toBe(CLUSTERED);
    expect(spatialPattern(spread.map(double), big)).toBe(DISTRIBUTED);
    // The same pixel layout on a photo half the size is no longer one impact.
    expect(spatialPattern(close, { width: 512, height: 384 })).toBe(DISTRIBUTED);
  });
});

describe('describeCrop', () => {
  let tok: ClipTokenizer;
  beforeAll(async () => {
    tok = await loadClipTokenizer();
  });

  it('writes the damaged shape: zone, part, types by count with descriptions and plurals, pattern', () => {
    const crop = damaged([defect('dent', box(480, 350)), defect('surface_scratch', box(420, 330)), defect('surface_scratch', box(520, 400))]);
    const { text_description: text, specific_part, shortened } = describeCrop(crop, PHOTO, tok);
    expect(specific_part).toBe('Rear left corner panel near bumper junction');
    expect(text).toBe(
      'Vehicle zone: rear_left_quarter (posterior area). Affected part: Rear left corner panel near bumper junction. ' +
        'Damage types: surface scratch (minor surface abrasion, 2 instances), dent (metal deformation, 1 instance). ' +
        'Spatial pattern: defects clustered together, suggesting single impact event.',
    );
    expect(shortened).toBe(false);
    expect(tok.count(text)).toBeLessThanOrEqual(77);
  });

  it('orders equal counts canonically and keeps single-type texts within 150-230 characters', () => {
    const crop = damaged([defect('crack', box(100, 100)), defect('dent', box(900, 600))], { vehicle_zone: '9' });
    const { text_description: text } = describeCrop(crop, PHOTO, tok);
    expect(text).toMatch(/Damage types: dent \(metal deformation, 1 instance\), crack \(structural fracture, 1 instance\)\./);
    expect(text).toMatch(/Spatial pattern: defects distributed across the panel, suggesting multiple impact points\.$/);
    for (const zone of ['2', '5', '7', '10']) {
      const one = describeCrop(damaged([defect('dent', box(480, 350))], { vehicle_zone: zone }), PHOTO, tok).text_description;
      expect(one).toMatch(/^Vehicle zone: \w+ \([a-z ]+ area\)\. Affected part: [^.]+\. Damage types: dent \(metal deformation, 1 instance\)\. Spatial pattern: isolated defect\.$/);
      expect(one.length).toBeGreaterThanOrEqual(150);
      expect(one.length).toBeLessThanOrEqual(230);
    }
  });

  it('writes the clean shape for every zone', () => {
    for (const zone of ZONE_IDS) {
      const crop = record({ vehicle_zone: String(zone), has_damage: false, crop_type: 'grid', grid_position: { col: 0, row: 0, rel_x: 0.5, rel_y: 0.5 } });
      const { text_description: text, specific_part } = describeCrop(crop, PHOTO, tok);
      expect(text).toBe(
        `Vehicle zone: ${ZONES[zone].name} (${ZONES[zone].area.replace('_', ' ')} area). Inspected part: ${specific_part}. ` +
          'Surface condition: Clean paint, no scratches or dents detected. Panel integrity: Normal alignment, intact surface.',
      );
      expect(text.length).toBeGreaterThanOrEqual(120);
      expect(text.length).toBeLessThanOrEqual(240);
    }
    const hood = describeCrop(record({ vehicle_zone: '2', has_damage: false }), PHOTO, tok).text_description;
    expect(hood).toBe(
      'Vehicle zone: hood_center (frontal area). Inspected part: Central hood panel. Surface condition: Clean paint, no scratches or dents detected. Panel integrity: Normal alignment, intact surface.',
    );
  });

  it('describes a clean window of a damaged photo as clean: its part on the car, no damage', () => {
    // bilgi photos have no zone; the window sits low on the car (rel_y 0.8), whatever the defects beside it.
    const window = record({
      vehicle_zone: null,
      has_damage: false,
      crop_type: 'grid',
      origin: 'damaged_photo_clean_window',
      bbox: { x: 0, y: 0, width: 224, height: 224 },
      grid_position: { col: 0, row: 3, rel_x: 0.2, rel_y: 0.8 },
    });
    expect(describeCrop(window, PHOTO, tok).text_description).toBe(
      `Vehicle zone: unknown. Inspected part: Lower area of the photographed panel. ${CLEAN_SURFACE} ${CLEAN_INTEGRITY}`,
    );
  });

  it('says "unknown" without a zone and names only the position', () => {
    const crop = damaged([defect('crack', box(480, 50))], { vehicle_zone: null, bbox: { x: 400, y: 0, width: 200, height: 150 } });
    const { text_description: text, specific_part } = describeCrop(crop, PHOTO, tok);
    expect(specific_part).toBe('Upper area of the photographed panel');
    expect(text).toMatch(/^Vehicle zone: unknown\. Affected part: Upper area of the photographed panel\. Damage types: crack/);
    for (const z of Object.values(ZONES)) expect(text).not.toContain(z.name);
  });

  it('shortens an over-long text in the documented order until it fits', () => {
    const types: DamageType[] = ['surface_scratch', 'dent', 'paint_peeling', 'deep_scratch', 'crack', 'missing_part', 'missing_accessory', 'misaligned_part'];
    const crop = damaged(types.map((t, i) => defect(t, box(50 + i * 120, 100 + (i % 2) * 500))), { vehicle_zone: '10' });
    const full = describeCrop(crop, PHOTO, { contextLength: 10_000, count: (t) => tok.count(t) });
    expect(full.shortened).toBe(false);
    expect(tok.count(full.text_description)).toBeGreaterThan(77);

    const result = describeCrop(crop, PHOTO, tok);
    const text = result.text_description;
    expect(result.shortened).toBe(true);
    expect(tok.count(text)).toBeLessThanOrEqual(77);
    // Step 1: no descriptions; then step 2: no pattern; both needed here, the part sentence still fits.
    expect(text).not.toMatch(/abrasion|deformation/);
    expect(text).not.toContain('Spatial pattern');
    expect(text).toContain('Affected part: ');
    expect(text).toContain('misaligned part (1 instance)');

    // A tighter budget drops the part sentence, then trims the type list from the end.
    const tight = describeCrop(crop, PHOTO, { contextLength: 40, count: (t) => tok.count(t) });
    expect(tight.shortened).toBe(true);
    expect(tok.count(tight.text_description)).toBeLessThanOrEqual(40);
    expect(tight.text_description).not.toContain('Affected part');
    expect(tight.text_description).toMatch(/^Vehicle zone: passenger_side_rocker \(lateral right area\)\. Damage types: surface scratch \(1 instance\), .* \d more types\.$/);
    expect(tight.specific_part).toBe(full.specific_part);
  });
});
