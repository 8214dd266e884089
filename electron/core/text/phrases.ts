import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_TYPES } from '../domain/damage-types';
import { ZONE_IDS } from '../domain/zones';
import { NATIVE_MODELS_DIR } from '../models/paths';

/** The benchmark's inspector phrases: native-models/lexicon/phrases.json. */
export const PHRASES_FILE = resolve(NATIVE_MODELS_DIR, 'lexicon', 'phrases.json');

const ExpectedSchema = z.object({
  /** A relevant crop is in one of these zones (empty: any zone). */
  zones: z.array(z.union(ZONE_IDS.map((id) => z.literal(id)))),
  /** … carries one of these damage types (empty: any). */
  damageTypes: z.array(z.enum(DAMAGE_TYPES)),
  /** … is damaged (true) or clean (false); null: either. */
  hasDamage: z.boolean().nullable(),
  /** The part the parser must read (not used for relevance: crops carry zones, not parts). */
  part: z.string().nullable(),
});

const PhraseSchema = z.object({ group: z.string(), text: z.string().min(1), expected: ExpectedSchema });
export type BenchmarkPhrase = z.infer<typeof PhraseSchema>;
export type ExpectedLabels = z.infer<typeof ExpectedSchema>;

export async function readBenchmarkPhrases(path = PHRASES_FILE): Promise<BenchmarkPhrase[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = z.object({ phrases: z.array(PhraseSchema).min(1) }).safeParse(json);
  if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.phrases;
}

type Labels = Pick<CropRecord, 'vehicle_zone' | 'damage_types' | 'has_damage'>;

/** A crop is relevant to a phrase when it carries every label the phrase asks for. */
export function isRelevant(record: Labels, expected: ExpectedLabels): boolean {
  return (
    (expected.zones.length === 0 || (record.vehicle_zone !== null && expected.zones.some((z) => String(z) === record.vehicle_zone))) &&
    (expected.damageTypes.length === 0 || record.damage_types.some((t) => expected.damageTypes.includes(t))) &&
    (expected.hasDamage === null || record.has_damage === expected.hasDamage)
  );
}

/** Share of the first `k` results that are relevant (a list shorter than k counts its missing places as misses). */
export function relevantAt(results: readonly Labels[], expected: ExpectedLabels, k = 5): number {
  return results.slice(0, k).filter((r) => isRelevant(r, expected)).length / k;
}

/** What a random ranking scores on average: the share of crops that are relevant. */
export function randomRelevantAt(records: readonly Labels[], expected: ExpectedLabels): number {
  return records.length ? records.filter((r) => isRelevant(r, expected)).length / records.length : 0;
}
