import type { CropRecord } from '../crops/crop-record';
import type { DamageType } from '../domain/damage-types';
import { recordFilter, type Retriever, type SearchFilters } from '../retriever';
import type { FilterCheck, FilterChecks, FilterViolation } from './report';

export const MAX_VIOLATIONS_REPORTED = 50;

function byFrequency<T>(values: T[]): T[] {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).map(([v]) => v);
}

/**
 * One filter of each kind domain.md names, on the values the index actually holds (most frequent first), so
 * each check has results to verify. A kind whose values are absent (no zone known, no damage type) is skipped.
 */
export function filterCases(records: readonly CropRecord[]): { name: string; filters: SearchFilters }[] {
  const zones = byFrequency(records.flatMap((r) => (r.vehicle_zone === null ? [] : [r.vehicle_zone])));
  const types = byFrequency<DamageType>(records.flatMap((r) => r.damage_types));
  const cases: { name: string; filters: SearchFilters }[] = [];
  if (zones.length) {
    cases.push({ name: 'vehicle_zone (one)', filters: { vehicle_zone: zones[0]! } });
    cases.push({ name: 'vehicle_zone (list)', filters: { vehicle_zone: zones.slice(0, 3) } });
  }
  cases.push({ name: 'has_damage true', filters: { has_damage: true } });
  cases.push({ name: 'has_damage false', filters: { has_damage: false } });
  if (types.length) {
    cases.push({ name: 'damage_type (one)', filters: { damage_type: types[0]! } });
    cases.push({ name: 'damage_type (list)', filters: { damage_type: types.slice(0, 2) } });
  }
  if (zones.length) {
    cases.push({ name: 'zone + clean', filters: { vehicle_zone: zones.slice(0, 2), has_damage: false } });
    if (types.length) {
      cases.push({ name: 'zone + damage + type', filters: { vehicle_zone: zones.slice(0, 5), has_damage: true, damage_type: types.slice(0, 3) } });
    }
  }
  return cases;
}

/**
 * Runs each filter for each query row through the retriever and verifies every result twice: against the
 * index's own record (the retriever applied the filter it was given) and against `reference`, phase 3's record
 * of the crop (the index's metadata says what the crop really is). Also checks that k is filled whenever at
 * least k indexed crops truly pass.
 */
export function runFilterChecks(
  retriever: Retriever,
  reference: { source: string; records: ReadonlyMap<string, CropRecord> },
  queryRows: readonly number[],
  k: number,
): FilterChecks {
  const { index } = retriever;
  const violations: FilterViolation[] = [];
  let violationCount = 0;
  const report = (v: FilterViolation): void => {
    violationCount++;
    if (violations.length < MAX_VIOLATIONS_REPORTED) violations.push(v);
  };

  const checks: FilterCheck[] = filterCases(index.records).map(({ name, filters }) => {
    const passes = recordFilter(filters);
    const trulyPassing = index.records.filter((r) => {
      const truth = reference.records.get(r.crop_id);
      return truth !== undefined && passes(truth);
    }).length;
    let mismatches = 0;
    let underfilled = 0;
    for (const row of queryRows) {
      const query = index.records[row]!.crop_id;
      const results = retriever.search(index.vector(row), { k, filters });
      for (const result of results) {
        const indexed = index.records[index.rowOf(result.crop_id)!]!;
        const truth = reference.records.get(result.crop_id);
        const problem = !passes(indexed)
          ? `retriever returned a crop its own record excludes (zone ${indexed.vehicle_zone}, damage ${indexed.has_damage}, types ${indexed.damage_types.join('+') || 'none'})`
          : truth === undefined
            ? 'crop is not in the phase 3 metadata'
            : !passes(truth)
              ? `phase 3 metadata says zone ${truth.vehicle_zone}, damage ${truth.has_damage}, types ${truth.damage_types.join('+') || 'none'}; the index says zone ${indexed.vehicle_zone}, damage ${indexed.has_damage}, types ${indexed.damage_types.join('+') || 'none'}`
              : null;
        if (problem === null) continue;
        mismatches++;
        report({ check: name, query_crop_id: query, filters, kind: 'mismatch', crop_id: result.crop_id, detail: problem });
      }
      if (results.length < k && trulyPassing >= k) {
        underfilled++;
        report({
          check: name,
          query_crop_id: query,
          filters,
          kind: 'underfilled',
          crop_id: null,
          detail: `${results.length} results for k = ${k}, but ${trulyPassing} indexed crops pass the filter`,
        });
      }
    }
    return { name, filters, queries: queryRows.length, mismatches, underfilled, passed: mismatches === 0 && underfilled === 0 };
  });
  return {
    reference: reference.source,
    sampled_queries: queryRows.length,
    checks,
    violations,
    violation_count: violationCount,
    passed: checks.every((c) => c.passed),
  };
}
