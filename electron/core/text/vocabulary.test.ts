import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipTokenizer } from './clip-tokenizer';
import { domainCorpus } from './domain-corpus';
import { loadLexicon, type Lexicon } from './lexicon';
import { buildTextVocabulary, readTextVocabulary, textVocabulary, type TextVocabulary } from './vocabulary';

let lexicon: Lexicon;
let vocabulary: TextVocabulary;
let dir: string;
beforeAll(async () => {
  lexicon = await loadLexicon();
  const corpus = domainCorpus(await loadClipTokenizer());
  vocabulary = buildTextVocabulary(corpus.map((r) => r.text_description!), lexicon, 256);
  dir = await mkdtemp(join(tmpdir(), 'carlens-vocabulary-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('text vocabulary', () => {
  it('gives every concept and context word its own dimension: no two share one', () => {
    const { terms } = vocabulary.file;
    expect(new Set(terms).size).toBe(terms.length);
    expect(terms.slice(0, lexicon.concepts.length)).toEqual(lexicon.concepts.map((c) => `c:${c.id}`));
    expect(terms).toContain('w:panel');
    // Each term alone lights exactly its own dimension, so two different terms are orthogonal.
    const [dent, scratch, door, photographed] = ['dent', 'scratch', 'door', 'photographed'].map((w) => vocabulary.vector(w));
    for (const [v, key] of [[dent, 'c:dent'], [door, 'c:door'], [photographed, 'w:photograph']] as const) {
      expect(Array.from(v!).filter((x) => x !== 0).length, key).toBe(key === 'c:dent' ? 2 : 1);
      expect(v![vocabulary.slotOf(key)!]).toBeGreaterThan(0);
    }
    expect(dot(door!, scratch!)).toBe(0);
    expect(dot(photographed!, door!)).toBe(0);
  });

  it('weighs rare terms above common ones (IDF over the contexts) and gives unit vectors', () => {
    const v = vocabulary.vector('dent panel');
    expect(dot(v, v)).toBeCloseTo(1, 6);
    expect(v[vocabulary.slotOf('c:dent')!]).toBeGreaterThan(v[vocabulary.slotOf('w:panel')!]!);
    expect(Array.from(vocabulary.vector('xylophone quasar')).every((x) => x === 0)).toBe(true);
  });

  it('matches synonyms and inflections exactly, and negation as clean', () => {
    expect(dot(vocabulary.vector('dented hood'), vocabulary.vector('dent on the bonnet'))).toBeCloseTo(1, 6);
    expect(dot(vocabulary.vector('broken headlamp'), vocabulary.vector('broken headlight'))).toBeCloseTo(1, 6);
    const clean = vocabulary.vector('Clean paint, no scratches or dents detected.');
    expect(clean[vocabulary.slotOf('c:scratch')!]).toBe(0);
    expect(clean[vocabulary.slotOf('c:dent')!]).toBe(0);
    expect(dot(vocabulary.vector('no damage'), clean)).toBeGreaterThan(0.5);
  });

  it('leaves out the rarest words when the dimension is full, and says which', () => {
    const small = buildTextVocabulary(['alpha beta gamma', 'alpha beta', 'alpha'], lexicon, lexicon.concepts.length + 2);
    expect(small.file.terms.slice(lexicon.concepts.length)).toEqual(['w:alpha', 'w:beta']);
    expect(small.file.dropped).toEqual(['w:gamma']);
    expect(() => buildTextVocabulary([], lexicon, 3)).toThrow(/concepts, more than the text dimension 3/);
  });

  it('reads back what it wrote; refuses a file of another lexicon or dimension, naming it', async () => {
    const path = join(dir, 'text_vocabulary.json');
    await writeFile(path, JSON.stringify(vocabulary.file));
    const read = await readTextVocabulary(path, lexicon, 256);
    expect(Array.from(read.vector('scuffed rear bumper'))).toEqual(Array.from(vocabulary.vector('scuffed rear bumper')));
    await expect(readTextVocabulary(path, lexicon, 512)).rejects.toThrow(/text_vocabulary.json has .* terms for dimension 256, the text tower has dimension 512; rerun phase 3/);
    expect(() => textVocabulary({ ...vocabulary.file, lexicon_fingerprint: 'other' }, lexicon, path)).toThrow(/made with lexicon .* not with .*; rerun phase 3/);
    await expect(readTextVocabulary(join(dir, 'missing.json'), lexicon, 256)).rejects.toThrow(/missing.json: no text vocabulary beside the embeddings; rerun phase 3/);
    await writeFile(path, '{"version": 1}');
    await expect(readTextVocabulary(path, lexicon, 256)).rejects.toThrow(/text_vocabulary.json: .*Invalid input.*rerun phase 3/s);
  });
});
