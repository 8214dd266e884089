import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';
import { ZONE_IDS, type ZoneId } from '../domain/zones';
import { analyse, type Term } from './analyse';
import type { Concept, Lexicon } from './lexicon';

type ConceptTerm = Extract<Term, { kind: 'concept' }>;
type SideConcept = Extract<Concept, { kind: 'side' }>;

/** What a query says about zone, part, side, damage type and condition, read with the lexicon. */
export interface QueryInterpretation {
  text: string;
  /** Zones the query names (by number, by a part, by sides); empty when it names none or all. */
  zones: ZoneId[];
  /** The part as written, with its sides ("rear bumper", "front door"), or null. */
  part: string | null;
  /** Sides read, as lexicon concept ids (left, right, front, rear). */
  sides: string[];
  damageTypes: DamageType[];
  /** true: damaged; false: clean ("no damage", "without scratches"); null: the query does not say. */
  hasDamage: boolean | null;
  /** Damage words read inside a negation ("scratches" in "without scratches"). */
  negated: string[];
  /** Why something the query says was not turned into a filter. */
  notes: string[];
}

const LATERAL: ReadonlySet<ZoneId> = new Set([7, 8, 9, 10]);
const sorted = (zones: Iterable<ZoneId>) => [...new Set(zones)].sort((a, b) => a - b);

/** Zones of one part, narrowed by each side; on a side panel "front"/"rear" say where along it, not which zone. */
function partZones(part: ConceptTerm, sides: ConceptTerm[], notes: string[]): ZoneId[] {
  const concept = part.concept as Extract<Concept, { kind: 'part' }>;
  const lateral = concept.zones.every((z) => LATERAL.has(z));
  let zones: ZoneId[] = [...concept.zones];
  for (const side of sides) {
    const sideConcept = side.concept as SideConcept;
    if (lateral && sideConcept.along) continue;
    const narrowed = zones.filter((z) => sideConcept.zones.includes(z));
    if (narrowed.length === 0) {
      notes.push(`no zone is a ${side.surface} ${part.surface}: no zone proposed for it`);
      return [];
    }
    zones = narrowed;
  }
  return zones;
}

function readZones(terms: Term[], parts: ConceptTerm[], sides: ConceptTerm[], notes: string[]): ZoneId[] {
  const named = terms.flatMap((t) => (t.kind === 'zone' ? [t.zone] : []));
  if (named.length) return sorted(named);
  if (parts.length) return sorted(parts.flatMap((part) => partZones(part, sides, notes)));
  if (!sides.length) return [];
  const zones = ZONE_IDS.filter((z) => sides.every((s) => (s.concept as SideConcept).zones.includes(z)));
  if (zones.length === 0) notes.push(`no zone is ${sides.map((s) => s.surface).join(' and ')} at once: no zone proposed`);
  return zones;
}

/** Damage types of the most specific damage words: "surface scratch" is surface_scratch, "scratch" both kinds. */
function readTypes(damage: ConceptTerm[]): DamageType[] {
  const types = new Set(damage.flatMap((t) => (t.concept.kind === 'damage' ? t.concept.damageTypes : [])));
  return DAMAGE_TYPES.filter((t) => types.has(t));
}

/**
 * Reads zone, part, side, damage type and clean/damaged from a query. "no damage", "without scratches",
 * "scratch-free" and "clean" read as clean; a damage word outside a negation, or "not clean", as damaged (a query
 * that says both, "no scratches but a dent", is damaged). A zone set that names every zone proposes none.
 */
export function interpretQuery(text: string, lexicon: Lexicon): QueryInterpretation {
  const terms = analyse(text, lexicon);
  const said = terms.filter((t): t is ConceptTerm => t.kind === 'concept' && !t.implied);
  const parts = said.filter((t) => t.concept.kind === 'part');
  const sides = said.filter((t) => t.concept.kind === 'side');
  const damage = said.filter((t) => t.concept.kind === 'damage' && !t.negated);
  const negated = said.filter((t) => t.negated);
  const saysDamaged = damage.length > 0 || said.some((t) => t.concept.kind === 'condition' && t.concept.hasDamage !== t.negated);
  const saysClean = said.some((t) => (t.concept.kind === 'condition' && !t.concept.hasDamage !== t.negated) || (t.concept.kind === 'damage' && t.negated));
  const notes: string[] = [];
  const zones = readZones(terms, parts, sides, notes);
  const placed = [...sides, ...parts].sort((a, b) => terms.indexOf(a) - terms.indexOf(b));
  return {
    text,
    zones: zones.length === ZONE_IDS.length ? [] : zones,
    part: parts.length ? placed.map((t) => t.surface).join(' ') : null,
    sides: [...new Set(sides.map((t) => t.concept.id))],
    damageTypes: readTypes(damage),
    hasDamage: saysDamaged ? true : saysClean ? false : null,
    negated: negated.map((t) => t.surface),
    notes,
  };
}
