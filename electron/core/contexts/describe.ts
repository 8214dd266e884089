import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_DESCRIPTIONS, DAMAGE_TYPES, type DamageType } from '../domain/damage-types';
import { ZONES } from '../domain/zones';
import { specificPart, zoneOf, type PhotoSize } from './parts';
import { spatialPattern } from './pattern';

/** What the budget needs from the tokenizer (a ClipTokenizer fits). */
export interface TokenBudget {
  readonly contextLength: number;
  count(text: string): number;
}

export interface CropContext {
  specific_part: string;
  text_description: string;
  /** The full text was over the token budget and parts of it were left out. */
  shortened: boolean;
}

export const CLEAN_SURFACE = 'Surface condition: Clean paint, no scratches or dents detected.';
export const CLEAN_INTEGRITY = 'Panel integrity: Normal alignment, intact surface.';

export interface DamageCount {
  type: DamageType;
  count: number;
}

/** Defects per type, most frequent first; ties in the canonical order of DAMAGE_TYPES. */
export function damageCounts(crop: CropRecord): DamageCount[] {
  const counts = new Map<DamageType, number>();
  for (const d of crop.defects) counts.set(d.damageType, (counts.get(d.damageType) ?? 0) + 1);
  // A record that lists types without defect boxes still names them, once each.
  if (counts.size === 0) for (const t of crop.damage_types) counts.set(t, 1);
  return [...counts]
    .map(([type, count]) => ({ type, count }))
    .sort((a, b) => b.count - a.count || DAMAGE_TYPES.indexOf(a.type) - DAMAGE_TYPES.indexOf(b.type));
}

const instances = (n: number) => `${n} ${n === 1 ? 'instance' : 'instances'}`;
const friendly = (type: DamageType) => type.replaceAll('_', ' ');

interface Form {
  descriptions: boolean;
  pattern: boolean;
  part: boolean;
  /** How many damage types are listed; the rest are summed up as "N more types". */
  types: number;
}

/**
 * The shortening order when the full text is over the token budget, least informative first: the damage
 * descriptions (they repeat what the type name says), the spatial pattern, the part sentence (the zone stays),
 * then damage types from the least frequent. Each step keeps the previous ones.
 */
function forms(typeCount: number): Form[] {
  const out: Form[] = [
    { descriptions: true, pattern: true, part: true, types: typeCount },
    { descriptions: false, pattern: true, part: true, types: typeCount },
    { descriptions: false, pattern: false, part: true, types: typeCount },
    { descriptions: false, pattern: false, part: false, types: typeCount },
  ];
  for (let k = typeCount - 1; k >= 1; k--) out.push({ descriptions: false, pattern: false, part: false, types: k });
  return out;
}

function zoneSentence(crop: CropRecord): string {
  const zone = zoneOf(crop);
  if (zone === null) return 'Vehicle zone: unknown.';
  return `Vehicle zone: ${ZONES[zone].name} (${ZONES[zone].area.replaceAll('_', ' ')} area).`;
}

function render(crop: CropRecord, part: string, counts: DamageCount[], pattern: string | null, form: Form): string {
  const sentences = [zoneSentence(crop)];
  if (!crop.has_damage) {
    if (form.part) sentences.push(`Inspected part: ${part}.`);
    sentences.push(CLEAN_SURFACE, CLEAN_INTEGRITY);
    return sentences.join(' ');
  }
  if (form.part) sentences.push(`Affected part: ${part}.`);
  const listed = counts.slice(0, form.types).map(({ type, count }) =>
    form.descriptions ? `${friendly(type)} (${DAMAGE_DESCRIPTIONS[type]}, ${instances(count)})` : `${friendly(type)} (${instances(count)})`,
  );
  const rest = counts.length - listed.length;
  if (rest > 0) listed.push(`${rest} more ${rest === 1 ? 'type' : 'types'}`);
  sentences.push(`Damage types: ${listed.join(', ')}.`);
  if (form.pattern && pattern) sentences.push(`Spatial pattern: ${pattern}.`);
  return sentences.join(' ');
}

/**
 * Phase 2 text for one crop (domain.md "Context text"), kept within the text encoder's context length: the
 * first form in the shortening order that fits is used. When even the shortest does not fit (only possible
 * with a tiny context length), the shortest is returned and the encoder's truncation cuts it.
 */
export function describeCrop(crop: CropRecord, photo: PhotoSize, budget: TokenBudget): CropContext {
  const part = specificPart(crop, photo);
  const counts = crop.has_damage ? damageCounts(crop) : [];
  const pattern = spatialPattern(crop.defects.map((d) => d.bbox), photo);
  const all = forms(counts.length);
  let text = '';
  for (const [i, form] of all.entries()) {
    text = render(crop, part, counts, pattern, form);
    if (budget.count(text) <= budget.contextLength) return { specific_part: part, text_description: text, shortened: i > 0 };
  }
  return { specific_part: part, text_description: text, shortened: true };
}
