import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { DAMAGE_TYPES } from '../domain/damage-types';
import { ZONE_IDS } from '../domain/zones';
import { readModelManifest } from '../models/manifest-file';
import { NATIVE_MODELS_DIR, requireFile, resolveModelPath } from '../models/paths';
import { stem } from './stem';

const ZoneList = z.array(z.union(ZONE_IDS.map((id) => z.literal(id)))).min(1);
const Forms = z.array(z.string().min(1)).min(1);
const Implies = z.array(z.string()).optional();

const ConceptSchema = z.discriminatedUnion('kind', [
  z.object({ id: z.string(), kind: z.literal('condition'), hasDamage: z.boolean(), forms: Forms, implies: Implies }),
  z.object({ id: z.string(), kind: z.literal('damage'), damageTypes: z.array(z.enum(DAMAGE_TYPES)).min(1), forms: Forms, implies: Implies }),
  z.object({ id: z.string(), kind: z.literal('part'), zones: ZoneList, forms: Forms, implies: Implies }),
  /** `along`: for a part on the car's side (doors, rockers), front / rear name where along it, not a zone. */
  z.object({ id: z.string(), kind: z.literal('side'), zones: ZoneList, along: z.enum(['front', 'rear']).optional(), forms: Forms, implies: Implies }),
  z.object({ id: z.string(), kind: z.literal('position'), forms: Forms, implies: Implies }),
]);
export type Concept = z.infer<typeof ConceptSchema>;

export const LexiconFileSchema = z.object({
  stopwords: z.array(z.string()),
  negation: z.object({
    /** Cues that negate the damage words after them up to the end of the clause ("no dents or scratches"). */
    before: z.array(z.string().min(1)),
    /** Cues right after a damage word that negate it ("scratch-free"). */
    after: z.array(z.string().min(1)),
    /** Words that end a negation's scope inside a clause ("no scratches but a dent"). */
    breakers: z.array(z.string().min(1)),
  }),
  concepts: z.array(ConceptSchema).min(1),
});

const LexiconManifestSchema = z.object({
  id: z.string(),
  kind: z.literal('lexicon'),
  version: z.number().int().positive(),
  description: z.string().optional(),
  licence: z.string(),
  file: z.string(),
});

/** A form as stems, with the concept it names. */
export interface Form {
  stems: string[];
  concept: Concept;
}

export interface Lexicon {
  id: string;
  /** sha256 of the lexicon file (16 hex): a text vector is only comparable with vectors made by the same lexicon. */
  fingerprint: string;
  path: string;
  concepts: readonly Concept[];
  conceptById: ReadonlyMap<string, Concept>;
  /** The condition concepts a negation turns a word into: "no dents" → clean, "not clean" → damage. */
  clean: Concept;
  damage: Concept;
  stopwords: ReadonlySet<string>;
  /** Forms by their first stem, longest first, so the longest form at a position wins. */
  formsByFirstStem: ReadonlyMap<string, readonly Form[]>;
  negationBefore: readonly string[][];
  negationAfter: ReadonlySet<string>;
  scopeBreakers: ReadonlySet<string>;
}

export const DEFAULT_LEXICON_MANIFEST = resolve(NATIVE_MODELS_DIR, 'lexicon', 'manifest.json');

/** Lowercase words without accents; "n't" becomes "not", and _ or - separate words (rear_bumper, B-pillar). */
export function words(text: string): string[] {
  const plain = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/n['’]t\b/g, ' not');
  return plain.match(/[a-z0-9]+/g) ?? [];
}

export const stems = (text: string): string[] => words(text).map(stem);

/** Builds the matcher from a parsed lexicon file; every concept id named by `implies` must exist. */
export function compileLexicon(file: z.infer<typeof LexiconFileSchema>, meta: { id: string; fingerprint: string; path: string }): Lexicon {
  const conceptById = new Map<string, Concept>();
  for (const concept of file.concepts) {
    if (conceptById.has(concept.id)) throw new Error(`lexicon ${meta.path}: concept '${concept.id}' is defined twice`);
    conceptById.set(concept.id, concept);
  }
  const formsByFirstStem = new Map<string, Form[]>();
  const seen = new Map<string, string>();
  for (const concept of file.concepts) {
    for (const implied of concept.implies ?? []) {
      if (!conceptById.has(implied)) throw new Error(`lexicon ${meta.path}: concept '${concept.id}' implies '${implied}', which is not defined`);
    }
    for (const form of concept.forms) {
      const formStems = stems(form);
      if (formStems.length === 0) throw new Error(`lexicon ${meta.path}: concept '${concept.id}' has a form without a word: '${form}'`);
      const key = formStems.join(' ');
      const other = seen.get(key);
      // Two concepts claiming one form would make its meaning depend on the order of the file.
      if (other !== undefined && other !== concept.id) {
        throw new Error(`lexicon ${meta.path}: the form '${form}' belongs to both '${other}' and '${concept.id}'`);
      }
      seen.set(key, concept.id);
      const list = formsByFirstStem.get(formStems[0]!) ?? [];
      list.push({ stems: formStems, concept });
      formsByFirstStem.set(formStems[0]!, list);
    }
  }
  for (const list of formsByFirstStem.values()) list.sort((a, b) => b.stems.length - a.stems.length);
  const condition = (hasDamage: boolean) => {
    const found = file.concepts.find((c) => c.kind === 'condition' && c.hasDamage === hasDamage);
    if (!found) throw new Error(`lexicon ${meta.path}: no condition concept with hasDamage ${hasDamage}; negation needs one`);
    return found;
  };
  return {
    ...meta,
    concepts: file.concepts,
    conceptById,
    clean: condition(false),
    damage: condition(true),
    stopwords: new Set(file.stopwords.map(stem)),
    formsByFirstStem,
    negationBefore: file.negation.before.map(stems).sort((a, b) => b.length - a.length),
    negationAfter: new Set(file.negation.after.map(stem)),
    scopeBreakers: new Set(file.negation.breakers.map(stem)),
  };
}

const loaded = new Map<string, Promise<Lexicon>>();

/** The lexicon a manifest names, read once per process (queries never read files). */
export function loadLexicon(manifestPath: string = DEFAULT_LEXICON_MANIFEST): Promise<Lexicon> {
  const absolute = resolve(manifestPath);
  let lexicon = loaded.get(absolute);
  if (!lexicon) {
    lexicon = readLexicon(absolute);
    loaded.set(absolute, lexicon);
    lexicon.catch(() => loaded.delete(absolute));
  }
  return lexicon;
}

async function readLexicon(manifestPath: string): Promise<Lexicon> {
  const manifest = await readModelManifest(manifestPath, LexiconManifestSchema);
  const path = requireFile(resolveModelPath(manifest.file, dirname(manifestPath)), `lexicon named by ${manifestPath}`);
  const bytes = await readFile(path);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`lexicon ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = LexiconFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`lexicon ${path}: ${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  const fingerprint = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return compileLexicon(parsed.data, { id: `${manifest.id}@${manifest.version}`, fingerprint, path });
}
