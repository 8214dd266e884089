import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_TYPES } from '../domain/damage-types';
import type { SoftFilters } from './soft-filters';

/**
 * Each crop's labels as typed arrays, row for row: a query with proposed filters works out how much of them
 * thousands of crops match, and reading typed arrays is far cheaper than reading the records.
 */
interface LabelColumns {
  /** The zone number, 0 when unknown. */
  zone: Uint8Array;
  /** Bit i set: the crop carries DAMAGE_TYPES[i]. */
  types: Uint16Array;
  damaged: Uint8Array;
}

const columnsOf = new WeakMap<readonly CropRecord[], LabelColumns>();

/** The label columns of one generation's records, made on first use and kept while those records are live. */
function labelColumns(records: readonly CropRecord[]): LabelColumns {
  let columns = columnsOf.get(records);
  if (!columns) {
    columns = { zone: new Uint8Array(records.length), types: new Uint16Array(records.length), damaged: new Uint8Array(records.length) };
    records.forEach((r, row) => {
      const zone = Number(r.vehicle_zone);
      columns!.zone[row] = Number.isInteger(zone) && zone > 0 && zone < 256 ? zone : 0;
      for (const t of r.damage_types) columns!.types[row]! |= 1 << DAMAGE_TYPES.indexOf(t);
      columns!.damaged[row] = r.has_damage ? 1 : 0;
    });
    columnsOf.set(records, columns);
  }
  return columns;
}

/** The share (0..1) of the proposed filters the crop of each row matches, or null when nothing is proposed. */
export function matchShare(soft: SoftFilters | undefined, records: readonly CropRecord[]): ((row: number) => number) | null {
  const zones = soft?.vehicle_zone?.map(Number).filter((z) => Number.isInteger(z) && z > 0 && z < 256) ?? [];
  const types = soft?.damage_type ?? [];
  const damaged = soft?.has_damage;
  const count = Number(zones.length > 0) + Number(types.length > 0) + Number(damaged !== undefined);
  if (count === 0) return null;
  const { zone, types: typeBits, damaged: damagedColumn } = labelColumns(records);
  const zoneWanted = new Uint8Array(256);
  for (const z of zones) zoneWanted[z] = 1;
  const typeMask = types.reduce((mask, t) => mask | (1 << DAMAGE_TYPES.indexOf(t)), 0);
  const damagedWanted = damaged === undefined ? -1 : damaged ? 1 : 0;
  return (row) => {
    let matched = 0;
    if (zones.length && zoneWanted[zone[row]!]) matched++;
    if (typeMask && typeBits[row]! & typeMask) matched++;
    if (damagedColumn[row] === damagedWanted) matched++;
    return matched / count;
  };
}
