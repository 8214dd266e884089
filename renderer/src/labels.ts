import type { DamageTypeValue } from '../../electron/shared/ipc-contract';

/** domain.md zone names, for the filters and result cards. */
export const ZONE_NAMES: Record<string, string> = {
  '1': 'Front left fender',
  '2': 'Hood, centre',
  '3': 'Front right fender',
  '4': 'Rear left quarter',
  '5': 'Rear bumper',
  '6': 'Rear right quarter',
  '7': 'Driver door',
  '8': 'Driver rocker',
  '9': 'Passenger door',
  '10': 'Passenger rocker',
};

export const DAMAGE_COLORS: Record<DamageTypeValue, string> = {
  surface_scratch: '#f5b700',
  dent: '#ff6b35',
  paint_peeling: '#c04cfd',
  deep_scratch: '#e63946',
  crack: '#ff006e',
  missing_part: '#3a86ff',
  missing_accessory: '#00b4d8',
  misaligned_part: '#2ec4b6',
  unspecified_damage: '#adb5bd',
};

export const damageLabel = (type: string): string => type.replace(/_/g, ' ');
