/** Damage types of shared/docs/domain.md, plus `unspecified_damage` for sources that mark damage without a type. */
export const DAMAGE_TYPES = [
  'surface_scratch',
  'dent',
  'paint_peeling',
  'deep_scratch',
  'crack',
  'missing_part',
  'missing_accessory',
  'misaligned_part',
  'unspecified_damage',
] as const;
export type DamageType = (typeof DAMAGE_TYPES)[number];

export const DAMAGE_DESCRIPTIONS: Readonly<Record<DamageType, string>> = {
  surface_scratch: 'minor surface abrasion',
  dent: 'metal deformation',
  paint_peeling: 'paint layer detachment',
  deep_scratch: 'deep paint penetration',
  crack: 'structural fracture',
  missing_part: 'component absence',
  missing_accessory: 'accessory detachment',
  misaligned_part: 'panel misalignment',
  unspecified_damage: 'damage of unrecorded type',
};

/** The seed convention's LabelMe labels "1".."8"; any other label (e.g. "9") is kept but is not damage. */
export const SEED_LABELS: Readonly<Record<string, DamageType>> = {
  '1': 'surface_scratch',
  '2': 'dent',
  '3': 'paint_peeling',
  '4': 'deep_scratch',
  '5': 'crack',
  '6': 'missing_part',
  '7': 'missing_accessory',
  '8': 'misaligned_part',
};

export function isDamageType(value: string): value is DamageType {
  return (DAMAGE_TYPES as readonly string[]).includes(value);
}
