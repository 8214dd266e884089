import type { DamageType } from '../domain/damage-types';
import { ZONES, type ZoneId } from '../domain/zones';
import type { Lexicon } from '../text/lexicon';
import { interpretQuery, type QueryInterpretation } from '../text/parser';
import type { SearchFilters } from './filters';

/**
 * Filters a query proposes (read from its words) but the user has not confirmed: a crop that matches them ranks
 * higher, none is left out. Same fields as SearchFilters.
 */
export interface SoftFilters {
  vehicle_zone?: string[];
  damage_type?: DamageType[];
  has_damage?: boolean;
}

/**
 * How far a crop matching every proposed filter is lifted, as a share of the query's best similarity. Half the
 * best similarity lifts a matching crop above any non-matching one that is less than half as similar to the
 * text, while one that the text itself describes far better can still outrank it (bench/text-queries.ts
 * measures the share relevant in the top 5 with and without the lift).
 */
export const SOFT_FILTER_LIFT = 0.5;

/** The proposals of an interpretation that the hard filters do not already decide. */
export function softFilters(interpretation: QueryInterpretation, hard: SearchFilters = {}): SoftFilters {
  const soft: SoftFilters = {};
  if (interpretation.zones.length && hard.vehicle_zone === undefined) soft.vehicle_zone = interpretation.zones.map(String);
  if (interpretation.damageTypes.length && hard.damage_type === undefined) soft.damage_type = interpretation.damageTypes;
  // A damage type already says damaged: only a query without one proposes damaged or clean.
  if (interpretation.hasDamage !== null && !interpretation.damageTypes.length && hard.has_damage === undefined) soft.has_damage = interpretation.hasDamage;
  return soft;
}

/** A proposed filter as a chip: what it says, the hard filter it becomes when confirmed, and whether it already is. */
export interface Proposal {
  kind: 'zone' | 'damage_type' | 'has_damage';
  label: string;
  filters: SearchFilters;
  confirmed: boolean;
}

/** The chips of an interpretation, in the order the summary reads: zone, damage type, else damaged / clean. */
export function proposals(interpretation: QueryInterpretation, hard: SearchFilters = {}): Proposal[] {
  const out: Proposal[] = [];
  const { zones, part, damageTypes, hasDamage } = interpretation;
  if (zones.length) {
    const names = zones.length === 1 ? (part ?? ZONES[zones[0] as ZoneId].description) : part;
    out.push({
      kind: 'zone',
      label: `${zones.length === 1 ? 'zone' : 'zones'} ${zones.join(', ')}${names ? ` (${names})` : ''}`,
      filters: { vehicle_zone: zones.map(String) },
      confirmed: hard.vehicle_zone !== undefined,
    });
  }
  if (damageTypes.length) {
    out.push({
      kind: 'damage_type',
      label: damageTypes.map((t) => t.replaceAll('_', ' ')).join(' or '),
      filters: { damage_type: damageTypes },
      confirmed: hard.damage_type !== undefined,
    });
  }
  if (hasDamage !== null && !damageTypes.length) {
    out.push({ kind: 'has_damage', label: hasDamage ? 'damaged' : 'clean', filters: { has_damage: hasDamage }, confirmed: hard.has_damage !== undefined });
  }
  return out;
}

/** "zone 5 (rear bumper) · dent": what the CLI prints and the Search screen shows before the chips. */
export function interpretationSummary(interpretation: QueryInterpretation): string {
  const labels = proposals(interpretation).map((p) => p.label);
  if (!labels.length && interpretation.part) labels.push(interpretation.part);
  return labels.length ? labels.join(' · ') : 'nothing to propose as a filter';
}

/** A query's interpretation with what the search does with it. */
export interface QueryReading {
  interpretation: QueryInterpretation;
  summary: string;
  proposals: Proposal[];
  /** The proposals the hard filters leave open: they lift matching crops. */
  soft: SoftFilters;
}

export function readSearchQuery(text: string, lexicon: Lexicon, hard: SearchFilters = {}): QueryReading {
  const interpretation = interpretQuery(text, lexicon);
  return { interpretation, summary: interpretationSummary(interpretation), proposals: proposals(interpretation, hard), soft: softFilters(interpretation, hard) };
}

/** The hard filters with the proposals they leave open made hard too (the CLI's --strict). */
export function withProposals(hard: SearchFilters, reading: QueryReading): SearchFilters {
  return { ...hard, ...reading.soft };
}
