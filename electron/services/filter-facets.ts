import type { CropRecord } from '../core/crops/crop-record';
import { DAMAGE_DESCRIPTIONS, DAMAGE_TYPES } from '../core/domain/damage-types';
import { ZONE_IDS, ZONES } from '../core/domain/zones';
import type { CropCounts, DomainInfo } from '../shared/ipc-contract';

/** The domain's zones and damage types as the renderer names them (filter chips, cards, the answer). */
export function domainInfo(): DomainInfo {
  return {
    zones: ZONE_IDS.map((id) => ({ ...ZONES[id], id: String(id) as DomainInfo['zones'][number]['id'] })),
    damageTypes: DAMAGE_TYPES.map((type) => ({ type, description: DAMAGE_DESCRIPTIONS[type] })),
  };
}

/** How many crops that search can return (not rejected) fall under each filter value. */
export function cropCounts(records: readonly CropRecord[]): CropCounts {
  const counts: CropCounts = { total: 0, damaged: 0, clean: 0, zones: {}, damageTypes: {} };
  for (const r of records) {
    if (r.rejected) continue;
    counts.total += 1;
    counts[r.has_damage ? 'damaged' : 'clean'] += 1;
    const zone = r.vehicle_zone ?? 'unknown';
    counts.zones[zone] = (counts.zones[zone] ?? 0) + 1;
    for (const type of new Set(r.damage_types)) counts.damageTypes[type] = (counts.damageTypes[type] ?? 0) + 1;
  }
  return counts;
}
