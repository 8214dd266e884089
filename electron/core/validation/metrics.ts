import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_TYPES } from '../domain/damage-types';
import type { Coverage, LeakageFree, Precision } from './report';

/** One query (a row of the vector set) and the rows it retrieved, best first. */
export interface QueryNeighbours {
  row: number;
  neighbours: number[];
}

/** Mean over queries of the share of their first k neighbours that `hit`; a query with no neighbour scores 0. */
function meanShare(
  records: readonly CropRecord[],
  queries: readonly QueryNeighbours[],
  k: number,
  hit: (query: CropRecord, result: CropRecord) => boolean,
): Precision {
  if (!queries.length) return { queries: 0, precision: null };
  let sum = 0;
  for (const { row, neighbours } of queries) {
    const query = records[row]!;
    const top = neighbours.slice(0, k);
    // Divide by k, not by what came back: a short list is a miss, as P@k defines it.
    sum += top.filter((r) => hit(query, records[r]!)).length / k;
  }
  return { queries: queries.length, precision: sum / queries.length };
}

const sharesType = (q: CropRecord, r: CropRecord): boolean => r.damage_types.some((t) => q.damage_types.includes(t));

/**
 * P@k figures from leakage-free neighbour lists (the query's own photo already left out by the search).
 * Damage type: damaged queries that have a type, a result counting when it shares one; zone: queries with a known zone.
 */
export function leakageFreePrecision(records: readonly CropRecord[], queries: readonly QueryNeighbours[], k: number): LeakageFree {
  const typed = queries.filter((q) => records[q.row]!.has_damage && records[q.row]!.damage_types.length > 0);
  const zoned = queries.filter((q) => records[q.row]!.vehicle_zone !== null);
  return {
    has_damage: meanShare(records, queries, k, (q, r) => q.has_damage === r.has_damage),
    damage_type: meanShare(records, typed, k, sharesType),
    zone: meanShare(records, zoned, k, (q, r) => q.vehicle_zone === r.vehicle_zone),
    per_type: DAMAGE_TYPES.map((type) => ({
      type,
      ...meanShare(
        records,
        typed.filter((q) => records[q.row]!.damage_types.includes(type)),
        k,
        sharesType,
      ),
    })).filter((row) => row.queries > 0),
  };
}

export const COVERAGE_THRESHOLD = 0.6;

/**
 * domain.md's coverage: for damaged (clean) queries, the share of damaged (clean) crops among the top k of an
 * unfiltered search. `neighbours` must hold at least k + 1 rows so the figure without the query's own crop
 * still has k.
 */
export function coverage(records: readonly CropRecord[], queries: readonly QueryNeighbours[], k: number, damaged: boolean): Coverage {
  const own = queries.filter((q) => records[q.row]!.has_damage === damaged);
  const sameClass = (_: CropRecord, r: CropRecord): boolean => r.has_damage === damaged;
  const withSelf = meanShare(records, own, k, sameClass).precision;
  const withoutSelf = meanShare(
    records,
    own.map((q) => ({ row: q.row, neighbours: q.neighbours.filter((r) => r !== q.row) })),
    k,
    sameClass,
  ).precision;
  return {
    queries: own.length,
    with_self: withSelf,
    without_self: withoutSelf,
    threshold: COVERAGE_THRESHOLD,
    passed: withoutSelf === null ? null : withoutSelf >= COVERAGE_THRESHOLD,
  };
}

/** Up to `max` rows spread evenly over 0..count-1, deterministic, so reruns validate the same queries. */
export function sampleRows(count: number, max: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * count) / max));
}
