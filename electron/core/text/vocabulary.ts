import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { analyse, termKeys } from './analyse';
import type { Lexicon } from './lexicon';

/** The vocabulary file phase 3 writes beside the vectors it made with it. */
export const TEXT_VOCABULARY_FILE = 'text_vocabulary.json';

export const TextVocabularyFileSchema = z.object({
  version: z.literal(1),
  /** The lexicon (id@version) and the fingerprint of its file: the vectors mean nothing under another. */
  lexicon: z.string(),
  lexicon_fingerprint: z.string(),
  /** Texts the document frequencies were counted over (the workspace's contexts). */
  documents: z.number().int().nonnegative(),
  /** Dimension i of a text vector is terms[i]; the rest of the `dim` dimensions stay zero. */
  dim: z.number().int().positive(),
  terms: z.array(z.string()),
  df: z.array(z.number().int().nonnegative()),
  /** Words of the contexts left out because the dimension was full (rarest first). */
  dropped: z.array(z.string()),
});
export type TextVocabularyFile = z.infer<typeof TextVocabularyFileSchema>;

/**
 * A text tower without collisions: every lexicon concept and every word of the workspace's contexts has its own
 * dimension (no hashing), weighted by sublinear tf × IDF over the contexts. Concepts come first, in lexicon order,
 * so they keep their dimensions whatever the contexts hold; words follow by document frequency.
 */
export interface TextVocabulary {
  readonly file: TextVocabularyFile;
  readonly lexicon: Lexicon;
  /** The L2-normalised vector of a text; all zeros when none of its terms is in the vocabulary. */
  vector(text: string): Float32Array;
  /** The dimension of a key (`c:dent`, `w:section`), if it has one. */
  slotOf(key: string): number | undefined;
}

/** Smoothed IDF (as scikit-learn's): never zero, so a term in every context still counts a little. */
const idf = (documents: number, df: number) => Math.log((1 + documents) / (1 + df)) + 1;

export function buildTextVocabulary(texts: readonly string[], lexicon: Lexicon, dim: number): TextVocabulary {
  const conceptKeys = lexicon.concepts.map((c) => `c:${c.id}`);
  if (conceptKeys.length > dim) throw new Error(`the lexicon ${lexicon.path} has ${conceptKeys.length} concepts, more than the text dimension ${dim}`);
  const df = new Map<string, number>();
  for (const text of texts) {
    for (const key of new Set(termKeys(analyse(text, lexicon), lexicon))) df.set(key, (df.get(key) ?? 0) + 1);
  }
  const conceptSet = new Set(conceptKeys);
  const wordKeys = [...df.keys()]
    .filter((key) => !conceptSet.has(key))
    .sort((a, b) => df.get(b)! - df.get(a)! || (a < b ? -1 : 1));
  const room = dim - conceptKeys.length;
  const terms = [...conceptKeys, ...wordKeys.slice(0, room)];
  return textVocabulary(
    {
      version: 1,
      lexicon: lexicon.id,
      lexicon_fingerprint: lexicon.fingerprint,
      documents: texts.length,
      dim,
      terms,
      df: terms.map((key) => df.get(key) ?? 0),
      dropped: wordKeys.slice(room).reverse(),
    },
    lexicon,
  );
}

/** A vocabulary from its file; refused when it was made with another lexicon or for another dimension. */
export function textVocabulary(file: TextVocabularyFile, lexicon: Lexicon, where = 'text vocabulary', dim = file.dim): TextVocabulary {
  if (file.lexicon_fingerprint !== lexicon.fingerprint) {
    throw new Error(`${where} was made with lexicon ${file.lexicon} (${file.lexicon_fingerprint}), not with ${lexicon.path} as it is now (${lexicon.fingerprint}); rerun phase 3 (embed)`);
  }
  if (file.dim !== dim || file.terms.length > dim || file.df.length !== file.terms.length) {
    throw new Error(`${where} has ${file.terms.length} terms for dimension ${file.dim}, the text tower has dimension ${dim}; rerun phase 3 (embed)`);
  }
  const slots = new Map(file.terms.map((key, i) => [key, i]));
  const weights = Float64Array.from(file.df, (df) => idf(file.documents, df));
  return {
    file,
    lexicon,
    slotOf: (key) => slots.get(key),
    vector(text) {
      const counts = new Map<number, number>();
      for (const key of termKeys(analyse(text, lexicon), lexicon)) {
        const slot = slots.get(key);
        if (slot !== undefined) counts.set(slot, (counts.get(slot) ?? 0) + 1);
      }
      const vector = new Float32Array(file.dim);
      let sum = 0;
      for (const [slot, count] of counts) {
        const w = (1 + Math.log(count)) * weights[slot]!;
        vector[slot] = w;
        sum += w * w;
      }
      const norm = Math.sqrt(sum);
      if (norm > 0) for (const slot of counts.keys()) vector[slot]! /= norm;
      return vector;
    },
  };
}

/** Reads a vocabulary file written by phase 3; errors name the file. */
export async function readTextVocabulary(path: string, lexicon: Lexicon, dim: number): Promise<TextVocabulary> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(`${path}: ${missing ? 'no text vocabulary beside the embeddings' : (error as Error).message}; rerun phase 3 (embed)`, { cause: error });
  }
  const parsed = TextVocabularyFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}; rerun phase 3 (embed)`);
  return textVocabulary(parsed.data, lexicon, path, dim);
}
