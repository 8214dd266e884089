import { describe, expect, it } from 'vitest';
import { compileLexicon, loadLexicon, LexiconFileSchema } from './lexicon';

const meta = { id: 'test@1', fingerprint: '0', path: 'test-lexicon.json' };
const base = {
  stopwords: ['the'],
  negation: { before: ['no'], after: ['free'], breakers: ['but'] },
  concepts: [
    { id: 'damage', kind: 'condition', hasDamage: true, forms: ['damage'] },
    { id: 'clean', kind: 'condition', hasDamage: false, forms: ['clean'] },
    { id: 'dent', kind: 'damage', damageTypes: ['dent'], implies: ['damage'], forms: ['dent', 'ding'] },
  ],
};
const compile = (file: unknown) => compileLexicon(LexiconFileSchema.parse(file), meta);

describe('lexicon', () => {
  it('loads the shipped lexicon once per process, with its concepts and negation cues', async () => {
    const lexicon = await loadLexicon();
    expect(await loadLexicon()).toBe(lexicon);
    expect(lexicon.id).toBe('carlens-inspection-lexicon@1');
    expect(lexicon.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    for (const id of ['dent', 'scratch', 'crack', 'missing_part', 'paint_peeling', 'headlight', 'bumper', 'door', 'left', 'rear']) {
      expect(lexicon.conceptById.has(id), id).toBe(true);
    }
    expect(lexicon.clean.id).toBe('clean');
    expect(lexicon.damage.id).toBe('damage');
  });

  it('refuses a form claimed by two concepts, an unknown implied concept, and a lexicon without both conditions', () => {
    expect(() => compile(base)).not.toThrow();
    const twice = { ...base, concepts: [...base.concepts, { id: 'bump', kind: 'damage', damageTypes: ['dent'], forms: ['dings'] }] };
    expect(() => compile(twice)).toThrow(/test-lexicon.json: the form 'dings' belongs to both 'dent' and 'bump'/);
    const unknown = { ...base, concepts: [...base.concepts, { id: 'gouge', kind: 'damage', damageTypes: ['deep_scratch'], implies: ['scratch'], forms: ['gouge'] }] };
    expect(() => compile(unknown)).toThrow(/concept 'gouge' implies 'scratch', which is not defined/);
    expect(() => compile({ ...base, concepts: base.concepts.filter((c) => c.id !== 'clean') })).toThrow(/no condition concept with hasDamage false/);
  });

  it('names the file and the field of a malformed manifest', async () => {
    await expect(loadLexicon('/nonexistent/lexicon/manifest.json')).rejects.toThrow(/model manifest \/nonexistent\/lexicon\/manifest.json/);
  });
});
