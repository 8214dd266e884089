import type { Where } from 'chromadb';
import type { CropRecord } from '../crops/crop-record';
import type { DamageType } from '../domain/damage-types';
import type { SearchFilters } from '../retriever/filters';

/** Per-crop metadata a Chroma collection stores: the fields SearchFilters test, in Chroma's scalar-only values. */
export type ChromaCropMetadata = Record<string, string | boolean>;

export type FilterFields = Pick<CropRecord, 'vehicle_zone' | 'has_damage' | 'damage_types' | 'source_image'>;

/**
 * Chroma's metadata values are scalars (no lists), so a crop's damage types become one boolean key per type
 * present; an unknown zone is left out, so a zone filter never matches it (as recordFilter treats null).
 */
export function damageTypeKey(type: DamageType): string {
  return `damage_${type}`;
}

export function cropMetadata(crop: FilterFields): ChromaCropMetadata {
  const metadata: ChromaCropMetadata = { has_damage: crop.has_damage, source_image: crop.source_image };
  if (crop.vehicle_zone !== null) metadata.vehicle_zone = crop.vehicle_zone;
  for (const type of crop.damage_types) metadata[damageTypeKey(type)] = true;
  return metadata;
}

/** A filter set in Chroma's where language: every crop passes, none does (an empty "any of" list), or a clause. */
export type ChromaFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'where'; where: Where };

function asList<T>(value: T | T[] | undefined): T[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

/** Chroma's $and / $or take two or more clauses; one clause stands alone. */
function joined(operator: '$and' | '$or', clauses: Where[]): Where {
  return clauses.length === 1 ? clauses[0]! : operator === '$and' ? { $and: clauses } : { $or: clauses };
}

/** recordFilter (retriever/filters.ts) translated: the same crops pass. */
export function chromaFilter(filters: SearchFilters | undefined): ChromaFilter {
  if (!filters) return { kind: 'all' };
  const clauses: Where[] = [];
  const zones = asList(filters.vehicle_zone);
  if (zones) {
    if (zones.length === 0) return { kind: 'none' };
    clauses.push({ vehicle_zone: { $in: zones } });
  }
  if (filters.has_damage !== undefined) clauses.push({ has_damage: filters.has_damage });
  const types = asList(filters.damage_type);
  if (types) {
    if (types.length === 0) return { kind: 'none' };
    clauses.push(joined('$or', [...new Set(types)].map((type) => ({ [damageTypeKey(type)]: true }))));
  }
  const excluded = asList(filters.exclude_source_image);
  if (excluded?.length) clauses.push({ source_image: { $nin: excluded } });
  return clauses.length === 0 ? { kind: 'all' } : { kind: 'where', where: joined('$and', clauses) };
}
