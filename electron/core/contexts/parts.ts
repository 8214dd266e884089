import type { CropRecord } from '../crops/crop-record';
import { isZoneId, type ZoneId } from '../domain/zones';

export interface PhotoSize {
  width: number;
  height: number;
}

/** Which third of the zone the crop shows: index 0, 1, 2 of a zone's part names. */
export type PartSlot = 0 | 1 | 2;

/**
 * Part names per zone. Front, rear and hood zones (1-6) are photographed facing the panel, so their slots are
 * top / centre / bottom. Side zones (7-10) are long horizontal panels, so their slots run along the car:
 * front / centre / rear (see {@link partSlot} for which way the car faces).
 */
export const PART_NAMES: Readonly<Record<ZoneId, readonly [string, string, string]>> = {
  1: ['Front left fender crown along hood seam', 'Front left fender side panel', 'Front left wheel arch lip'],
  2: ['Rear hood edge near windshield cowl', 'Central hood panel', 'Front hood edge above grille'],
  3: ['Front right fender crown along hood seam', 'Front right fender side panel', 'Front right wheel arch lip'],
  4: ['Rear left quarter panel below C-pillar', 'Rear left corner panel near bumper junction', 'Rear left wheel arch and sill end'],
  5: ['Rear bumper upper edge below trunk lid', 'Rear bumper cover centre section', 'Rear bumper lower valance'],
  6: ['Rear right quarter panel below C-pillar', 'Rear right corner panel near bumper junction', 'Rear right wheel arch and sill end'],
  7: ['Driver front door panel', 'Driver door B-pillar area', 'Driver rear door panel'],
  8: ['Driver rocker panel behind front wheel', 'Driver rocker panel below B-pillar', 'Driver rocker panel ahead of rear wheel'],
  9: ['Passenger front door panel', 'Passenger door B-pillar area', 'Passenger rear door panel'],
  10: ['Passenger rocker panel behind front wheel', 'Passenger rocker panel below B-pillar', 'Passenger rocker panel ahead of rear wheel'],
};

/** Without a zone nothing says which panel it is, so only the position in the photo is named. */
export const UNKNOWN_ZONE_PARTS: readonly [string, string, string] = [
  'Upper area of the photographed panel',
  'Central area of the photographed panel',
  'Lower area of the photographed panel',
];

/**
 * Crop centre, 0..1 on each axis. Grid crops use their position relative to the car (the photo may show much
 * more than the car); clustered crops their box centre relative to the photo.
 */
export function cropCentre(crop: CropRecord, photo: PhotoSize): { x: number; y: number } {
  if (crop.grid_position) return { x: crop.grid_position.rel_x, y: crop.grid_position.rel_y };
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return {
    x: clamp((crop.bbox.x + crop.bbox.width / 2) / photo.width),
    y: clamp((crop.bbox.y + crop.bbox.height / 2) / photo.height),
  };
}

const third = (v: number): PartSlot => (v < 1 / 3 ? 0 : v < 2 / 3 ? 1 : 2);

/**
 * Slot of a crop centre in a zone. Side photos are taken standing beside the car: on the driver (left) side the
 * car's front is on the photo's left, on the passenger (right) side on its right, so slot 0 (front) mirrors.
 */
export function partSlot(zone: ZoneId | null, centre: { x: number; y: number }): PartSlot {
  if (zone === 7 || zone === 8) return third(centre.x);
  if (zone === 9 || zone === 10) return (2 - third(centre.x)) as PartSlot;
  return third(centre.y);
}

export function zoneOf(crop: CropRecord): ZoneId | null {
  if (crop.vehicle_zone === null) return null;
  const n = Number(crop.vehicle_zone);
  return isZoneId(n) ? n : null;
}

export function specificPart(crop: CropRecord, photo: PhotoSize): string {
  const zone = zoneOf(crop);
  const slot = partSlot(zone, cropCentre(crop, photo));
  return (zone === null ? UNKNOWN_ZONE_PARTS : PART_NAMES[zone])[slot];
}
