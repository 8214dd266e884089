import { beforeAll, describe, expect, it } from 'vitest';
import { loadLexicon, type Lexicon } from './lexicon';
import { interpretQuery } from './parser';
import { readBenchmarkPhrases, type BenchmarkPhrase } from './phrases';

let lexicon: Lexicon;
let phrases: BenchmarkPhrase[];
beforeAll(async () => {
  lexicon = await loadLexicon();
  phrases = await readBenchmarkPhrases();
});

describe('interpretQuery', () => {
  it('reads zone, part, damage type and clean/damaged of every benchmark phrase as expected', () => {
    expect(phrases.length).toBeGreaterThanOrEqual(40);
    for (const { text, expected } of phrases) {
      const reading = interpretQuery(text, lexicon);
      expect({ zones: reading.zones, damageTypes: reading.damageTypes, hasDamage: reading.hasDamage, part: reading.part }, text).toEqual(expected);
    }
  });

  it('reads sides, negated words, and says why a part and side that fit no zone propose none', () => {
    expect(interpretQuery('scratch on the front door', lexicon)).toMatchObject({ zones: [7, 9], sides: ['front'], part: 'front door' });
    expect(interpretQuery('rear bumper without scratches', lexicon)).toMatchObject({ hasDamage: false, negated: ['scratches'] });
    const front = interpretQuery('front bumper scratch', lexicon);
    expect(front).toMatchObject({ zones: [], part: 'front bumper', damageTypes: ['surface_scratch', 'deep_scratch'] });
    expect(front.notes).toEqual(['no zone is a front bumper: no zone proposed for it']);
    expect(interpretQuery('left right', lexicon)).toMatchObject({ zones: [], notes: ['no zone is left and right at once: no zone proposed'] });
  });

  it('proposes nothing for a query that names no zone, type or condition', () => {
    expect(interpretQuery('photo of a car', lexicon)).toMatchObject({ zones: [], part: null, damageTypes: [], hasDamage: null, notes: [] });
  });
});
