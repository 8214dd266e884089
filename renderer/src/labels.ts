import { useCallback } from 'react';
import type { DamageTypeValue } from '../../electron/shared/ipc-contract';
import { useApp } from './store';

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

/**
 * Names a zone id ("7") in words from the domain the service sent (see the `domain` channel): `short` is the
 * zone's name ("driver side door"), for chips; `long` its description ("driver door (left)"), for details.
 * Before the domain has arrived, the id alone.
 */
export function useZoneNames(): { short(zone: string): string; long(zone: string): string } {
  const domain = useApp((s) => s.domain);
  const find = useCallback((zone: string) => domain?.zones.find((z) => z.id === zone), [domain]);
  return {
    short: useCallback((zone: string) => find(zone)?.name.replace(/_/g, ' ') ?? `zone ${zone}`, [find]),
    long: useCallback((zone: string) => find(zone)?.description ?? `zone ${zone}`, [find]),
  };
}
