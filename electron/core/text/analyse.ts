import { ZONES, isZoneId, type ZoneId } from '../domain/zones';
import { words, type Concept, type Lexicon } from './lexicon';
import { stem } from './stem';

/** One meaningful unit of a text: a lexicon concept, a zone named by number, or a plain (stemmed) word. */
export type Term =
  | {
      kind: 'concept';
      concept: Concept;
      /** The words it was read from ("dented", "torn off"). */
      surface: string;
      /** Inside a negation's scope ("no dents"): a negated damage word means clean, a negated "clean" damaged. */
      negated: boolean;
      /** Added by another concept's `implies` (a dent implies damage), not written in the text. */
      implied: boolean;
    }
  | { kind: 'zone'; zone: ZoneId; surface: string }
  | { kind: 'word'; stem: string; surface: string };

/** Clause boundaries end a negation's scope: "no damage, clean side panel". */
const CLAUSE = /[.,;:!?()[\]\n]+/;

/**
 * Reads a text as the lexicon sees it: clause by clause, longest lexicon form first at each word, negation cues
 * opening a scope to the end of the clause (or a breaker such as "but"), "zone N" as a zone, stopwords and bare
 * numbers dropped, every other word kept as its stem. Contexts and queries go through the same reading, so
 * "dented" in a query meets "dent" in a context, and "no scratches or dents detected" counts as clean, not as
 * a scratch and a dent.
 */
export function analyse(text: string, lexicon: Lexicon): Term[] {
  const terms: Term[] = [];
  for (const clause of text.split(CLAUSE)) readClause(words(clause), lexicon, terms);
  return terms;
}

function readClause(surfaces: string[], lexicon: Lexicon, out: Term[]): void {
  const stemmed = surfaces.map(stem);
  let negating = false;
  let i = 0;
  const matches = (form: readonly string[], at: number) => form.every((s, k) => stemmed[at + k] === s);
  while (i < stemmed.length) {
    const word = stemmed[i]!;
    if (lexicon.scopeBreakers.has(word)) {
      negating = false;
      i++;
      continue;
    }
    const cue = lexicon.negationBefore.find((form) => matches(form, i));
    if (cue) {
      negating = true;
      i += cue.length;
      continue;
    }
    const zone = surfaces[i] === 'zone' ? Number(surfaces[i + 1]) : NaN;
    if (isZoneId(zone)) {
      out.push({ kind: 'zone', zone, surface: `${surfaces[i]} ${surfaces[i + 1]}` });
      i += 2;
      continue;
    }
    const form = lexicon.formsByFirstStem.get(word)?.find((f) => matches(f.stems, i));
    if (form) {
      const surface = surfaces.slice(i, i + form.stems.length).join(' ');
      i += form.stems.length;
      // "scratch-free", "dent free": a cue right after the word negates it alone.
      const negatedAfter = i < stemmed.length && lexicon.negationAfter.has(stemmed[i]!);
      if (negatedAfter) i++;
      const negatable = form.concept.kind === 'damage' || form.concept.kind === 'condition';
      pushConcept(out, form.concept, surface, negatable && (negating || negatedAfter), lexicon);
      continue;
    }
    if (!lexicon.stopwords.has(word) && !/^\d+$/.test(word)) out.push({ kind: 'word', stem: word, surface: surfaces[i]! });
    i++;
  }
}

function pushConcept(out: Term[], concept: Concept, surface: string, negated: boolean, lexicon: Lexicon): void {
  out.push({ kind: 'concept', concept, surface, negated, implied: false });
  // What a negated word implies is not said: "no dent" does not imply damage.
  if (negated) return;
  for (const id of concept.implies ?? []) {
    out.push({ kind: 'concept', concept: lexicon.conceptById.get(id)!, surface, negated: false, implied: true });
  }
}

/**
 * The keys a text vector counts, one per term: a concept as `c:<id>` (a negated damage word or "damage" as
 * `c:clean`, a negated "clean" as `c:damage`), a zone by number as the concepts of its description, a word as
 * `w:<stem>`. The vocabulary gives each key its own dimension.
 */
export function termKeys(terms: readonly Term[], lexicon: Lexicon): string[] {
  const keys: string[] = [];
  for (const term of terms) {
    if (term.kind === 'word') keys.push(`w:${term.stem}`);
    else if (term.kind === 'zone') keys.push(...termKeys(analyse(ZONES[term.zone].description, lexicon), lexicon));
    else if (!term.negated) keys.push(`c:${term.concept.id}`);
    else if (term.concept.kind === 'damage' || (term.concept.kind === 'condition' && term.concept.hasDamage)) keys.push(`c:${lexicon.clean.id}`);
    else keys.push(`c:${lexicon.damage.id}`);
  }
  return keys;
}
