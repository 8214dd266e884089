import type { CropTable } from '../index/crop-table';
import { damageTypeMask } from '../index/crop-table-data';
import type { SoftFilters } from './soft-filters';

/**
 * The share (0..1) of the proposed filters the crop of each row matches, or null when nothing is proposed; read
 * from the table's columns, since a query with proposed filters asks it for thousands of rows.
 */
export function matchShare(soft: SoftFilters | undefined, table: CropTable): ((row: number) => number) | null {
  const zones = soft?.vehicle_zone ?? [];
  const types = soft?.damage_type ?? [];
  const damaged = soft?.has_damage;
  const count = Number(zones.length > 0) + Number(types.length > 0) + Number(damaged !== undefined);
  if (count === 0) return null;
  const { zone, damageTypes, hasDamage } = table;
  const zoneWanted = new Uint8Array(256);
  // Code 0 is the unknown zone, which no proposed zone matches.
  for (const z of zones) zoneWanted[table.zoneCode(z) ?? 0] = 1;
  zoneWanted[0] = 0;
  const typeMask = damageTypeMask(types);
  const damagedWanted = damaged === undefined ? -1 : damaged ? 1 : 0;
  return (row) => {
    let matched = 0;
    if (zoneWanted[zone[row]!]) matched++;
    if ((damageTypes[row]! & typeMask) !== 0) matched++;
    if (hasDamage[row] === damagedWanted) matched++;
    return matched / count;
  };
}
