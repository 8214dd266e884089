/** Vehicle zones 1-10 as in shared/docs/domain.md. */
export type ZoneArea = 'frontal' | 'posterior' | 'lateral_left' | 'lateral_right';

export interface ZoneInfo {
  id: ZoneId;
  name: string;
  description: string;
  area: ZoneArea;
}

export const ZONE_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
export type ZoneId = (typeof ZONE_IDS)[number];

export const ZONES: Readonly<Record<ZoneId, ZoneInfo>> = {
  1: { id: 1, name: 'front_left_fender', description: 'front left fender', area: 'frontal' },
  2: { id: 2, name: 'hood_center', description: 'hood, centre', area: 'frontal' },
  3: { id: 3, name: 'front_right_fender', description: 'front right fender', area: 'frontal' },
  4: { id: 4, name: 'rear_left_quarter', description: 'rear left quarter panel', area: 'posterior' },
  5: { id: 5, name: 'rear_bumper', description: 'rear bumper', area: 'posterior' },
  6: { id: 6, name: 'rear_right_quarter', description: 'rear right quarter panel', area: 'posterior' },
  7: { id: 7, name: 'driver_side_door', description: 'driver door (left)', area: 'lateral_left' },
  8: { id: 8, name: 'driver_side_rocker', description: 'driver-side rocker panel', area: 'lateral_left' },
  9: { id: 9, name: 'passenger_side_door', description: 'passenger door (right)', area: 'lateral_right' },
  10: { id: 10, name: 'passenger_side_rocker', description: 'passenger-side rocker panel', area: 'lateral_right' },
};

export function isZoneId(value: number): value is ZoneId {
  return Number.isInteger(value) && value >= 1 && value <= 10;
}
