import type { CropRecord } from '../crops/crop-record';
import { exactTopK } from '../index/vectors';
import { sourceOf } from '../split/split';
import type { Matrix } from './ridge';

/** The labels a ranking is judged on. */
export type Labelled = Pick<CropRecord, 'source_image' | 'has_damage' | 'damage_types' | 'vehicle_zone'>;

export const TOP = 5;

/** One label's P@5 beside what a random ranking and the majority-label ranking would score on the same queries. */
export interface LabelFigure {
  queries: number;
  precision: number | null;
  /** Expected P@5 of a random ranking: the share of the query's eligible items that carry its label (the class prior). */
  prior: number | null;
  /** A query-independent ranking: always the crops of the training majority label (damaged / the commonest type / zone). */
  majority: number | null;
}

export interface RankingFigures {
  source: string;
  has_damage: LabelFigure;
  /** Damaged queries with a type; a result counts when it shares one. */
  damage_type: LabelFigure & {
    /** A ranking that knew damaged from clean perfectly and picked at random among damaged items. */
    damaged_prior: number | null;
  };
  zone: LabelFigure;
}

export interface Majority {
  hasDamage: boolean;
  type: string | null;
  zone: string | null;
}

/** The majority labels of some rows (the training side): what the query-independent baseline always returns. */
export function majorityLabels(records: readonly Labelled[], rows: readonly number[]): Majority {
  const top = (values: string[]): string | null => {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;
  };
  const damaged = rows.filter((r) => records[r]!.has_damage).length;
  return {
    hasDamage: damaged * 2 >= rows.length,
    type: top(rows.flatMap((r) => records[r]!.damage_types)),
    zone: top(rows.flatMap((r) => records[r]!.vehicle_zone ?? [])),
  };
}

const sharesType = (q: Labelled, r: Labelled) => r.damage_types.some((t) => q.damage_types.includes(t));
const sameZone = (q: Labelled, r: Labelled) => q.vehicle_zone === r.vehicle_zone;
const sameDamage = (q: Labelled, r: Labelled) => q.has_damage === r.has_damage;

/** A query: a record's labels and the vector that ranks items by their image vectors (null: the query is skipped). */
export interface ImageQuery {
  row: number;
  vector: Float32Array | null;
}

/** Top-k item rows by inner product with the item image vectors, the query's own photo left out. */
export function rankItems(query: Float32Array, image: Matrix, items: readonly number[], records: readonly Labelled[], ownPhoto: string, k = TOP): number[] {
  const eligible = items.filter((r) => records[r]!.source_image !== ownPhoto);
  return exactTopK(image.data, image.cols, query, k, eligible).map((n) => n.row);
}

/**
 * P@5 of queries ranking items by pixels, per query source and overall ('all'), each label beside the class prior,
 * the majority-label ranking and (for types) a ranking that only knows damaged from clean.
 */
export function rankingFigures(queries: readonly ImageQuery[], image: Matrix, items: readonly number[], records: readonly Labelled[], majority: Majority): RankingFigures[] {
  const ranked = queries.flatMap((q) => (q.vector ? [{ row: q.row, top: rankItems(q.vector, image, items, records, records[q.row]!.source_image) }] : []));
  const sources = [...new Set(ranked.map((q) => sourceOf(records[q.row]!.source_image)))].sort();
  return ['all', ...sources].map((source) => {
    const mine = ranked.filter((q) => source === 'all' || sourceOf(records[q.row]!.source_image) === source);
    const typed = mine.filter((q) => records[q.row]!.has_damage && records[q.row]!.damage_types.length > 0);
    const zoned = mine.filter((q) => records[q.row]!.vehicle_zone !== null);
    const figure = (list: typeof mine, hit: (q: Labelled, r: Labelled) => boolean, majorityHit: (q: Labelled) => boolean): LabelFigure => ({
      queries: list.length,
      precision: mean(list.map((q) => q.top.filter((r) => hit(records[q.row]!, records[r]!)).length / TOP)),
      prior: mean(list.map((q) => share(items, records, q.row, hit))),
      majority: mean(list.map((q) => (majorityHit(records[q.row]!) ? 1 : 0))),
    });
    return {
      source,
      has_damage: figure(mine, sameDamage, (q) => q.has_damage === majority.hasDamage),
      damage_type: {
        ...figure(typed, sharesType, (q) => majority.type !== null && q.damage_types.some((t) => t === majority.type)),
        damaged_prior: mean(typed.map((q) => share(items.filter((r) => records[r]!.has_damage), records, q.row, sharesType))),
      },
      zone: figure(zoned, sameZone, (q) => q.vehicle_zone === majority.zone),
    };
  });
}

/** Share of the items outside the query's photo that `hit` it. */
function share(items: readonly number[], records: readonly Labelled[], row: number, hit: (q: Labelled, r: Labelled) => boolean): number {
  const query = records[row]!;
  let eligible = 0;
  let hits = 0;
  for (const r of items) {
    if (records[r]!.source_image === query.source_image) continue;
    eligible++;
    if (hit(query, records[r]!)) hits++;
  }
  return eligible ? hits / eligible : 0;
}

export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}
