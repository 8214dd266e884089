import type { CropRecord } from '../crops/crop-record';
import type { DamageType } from '../domain/damage-types';

/** domain.md's retrieval filters; each one given narrows the candidates, lists mean "any of". */
export interface SearchFilters {
  vehicle_zone?: string | string[];
  has_damage?: boolean;
  damage_type?: DamageType | DamageType[];
  /**
   * Leave out crops of this photo or these photos (a photo's own crops are near-duplicates of a query taken from
   * it; an evaluation leaves out every held-out photo).
   */
  exclude_source_image?: string | string[];
}

function asList<T>(value: T | T[] | undefined): T[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

export function hasFilters(filters: SearchFilters | undefined): boolean {
  return (
    filters !== undefined &&
    (filters.vehicle_zone !== undefined ||
      filters.has_damage !== undefined ||
      filters.damage_type !== undefined ||
      filters.exclude_source_image !== undefined)
  );
}

/** A predicate for one filter set, built once per query. */
export function recordFilter(filters: SearchFilters): (record: CropRecord) => boolean {
  const zones = asList(filters.vehicle_zone);
  const types = asList(filters.damage_type);
  const { has_damage: damage } = filters;
  const exclude = filters.exclude_source_image === undefined ? undefined : new Set(asList(filters.exclude_source_image));
  return (record) =>
    (zones === undefined || (record.vehicle_zone !== null && zones.includes(record.vehicle_zone))) &&
    (damage === undefined || record.has_damage === damage) &&
    (types === undefined || record.damage_types.some((t) => types.includes(t))) &&
    (exclude === undefined || !exclude.has(record.source_image));
}
