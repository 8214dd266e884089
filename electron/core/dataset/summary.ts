import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';
import { ZONE_IDS } from '../domain/zones';
import type { Dataset, ProblemCode } from './model';

/** Version of the `scan --json` document (docs/scan-json.md); bump on any incompatible change. */
export const SCAN_SUMMARY_VERSION = 1;

export interface ScanSummary {
  version: typeof SCAN_SUMMARY_VERSION;
  root: string;
  format: Dataset['format'];
  photos: number;
  states: { damaged: number; undamaged: number };
  /** "1".."10" and "unknown" → photos. */
  zones: Record<string, number>;
  /** Canonical damage type → shapes and photos. */
  damageTypes: Record<DamageType, { shapes: number; photos: number }>;
  /** Every source label → shapes, damage or not. */
  labels: Record<string, number>;
  /** Source labels that are not damage → shapes. */
  nonDamageLabels: Record<string, number>;
  problems: { errors: number; warnings: number; byCode: Partial<Record<ProblemCode, number>> };
}

export function summarizeDataset(dataset: Dataset): ScanSummary {
  const zones: Record<string, number> = Object.fromEntries([...ZONE_IDS.map((z) => [String(z), 0]), ['unknown', 0]]);
  const damageTypes = Object.fromEntries(DAMAGE_TYPES.map((t) => [t, { shapes: 0, photos: 0 }])) as ScanSummary['damageTypes'];
  const labels: Record<string, number> = {};
  const nonDamageLabels: Record<string, number> = {};
  const states = { damaged: 0, undamaged: 0 };
  for (const photo of dataset.photos) {
    states[photo.state] += 1;
    zones[photo.zone === null ? 'unknown' : String(photo.zone)]! += 1;
    const typesInPhoto = new Set<DamageType>();
    for (const shape of photo.shapes) {
      labels[shape.label] = (labels[shape.label] ?? 0) + 1;
      if (shape.damageType) {
        damageTypes[shape.damageType].shapes += 1;
        typesInPhoto.add(shape.damageType);
      } else {
        nonDamageLabels[shape.label] = (nonDamageLabels[shape.label] ?? 0) + 1;
      }
    }
    for (const type of typesInPhoto) damageTypes[type].photos += 1;
  }
  const byCode: ScanSummary['problems']['byCode'] = {};
  for (const problem of dataset.problems) byCode[problem.code] = (byCode[problem.code] ?? 0) + 1;
  return {
    version: SCAN_SUMMARY_VERSION,
    root: dataset.root,
    format: dataset.format,
    photos: dataset.photos.length,
    states,
    zones,
    damageTypes,
    labels: sortedRecord(labels),
    nonDamageLabels: sortedRecord(nonDamageLabels),
    problems: {
      errors: dataset.problems.filter((p) => p.severity === 'error').length,
      warnings: dataset.problems.filter((p) => p.severity === 'warning').length,
      byCode,
    },
  };
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
}
