import { beforeAll, describe, expect, it } from 'vitest';
import { analyse, termKeys } from './analyse';
import { loadLexicon, type Lexicon } from './lexicon';

let lexicon: Lexicon;
beforeAll(async () => {
  lexicon = await loadLexicon();
});
const keys = (text: string) => termKeys(analyse(text, lexicon), lexicon);
const concepts = (text: string) => keys(text).filter((k) => k.startsWith('c:')).sort();

describe('analyse: synonyms and stems', () => {
  it("reads an inspector's everyday words as the context's concepts", () => {
    const groups = [
      ['dent', 'dented', 'ding', 'dinged', 'caved in', 'metal deformation'],
      ['scratch', 'scrape', 'scraped', 'scuff', 'scuffed'],
      ['crack', 'cracked', 'shattered', 'structural fracture'],
      ['missing', 'broken', 'torn off', 'ripped off', 'component absence'],
      ['paint peeling', 'peeling paint', 'flaking', 'primer', 'paint layer detachment'],
    ];
    for (const group of groups) {
      for (const word of group) expect(concepts(word), `${word} ~ ${group[0]}`).toEqual(concepts(group[0]!));
    }
    expect(concepts('headlamp')).toEqual(concepts('headlight'));
    expect(concepts('bonnet')).toEqual(concepts('hood'));
    expect(concepts('windscreen')).toEqual(concepts('windshield'));
    expect(concepts('windshield')).toContain('c:crack');
    expect(concepts('rear_bumper')).toEqual(['c:bumper', 'c:rear']);
    expect(concepts('driver door')).toEqual(concepts('left door'));
  });

  it('keeps other words as stems and drops stopwords and bare numbers', () => {
    expect(keys('the Central area of the photographed panel, 2 instances')).toEqual(['c:centre', 'w:photograph', 'w:panel']);
  });

  it('reads "zone N" as the zone named by the domain', () => {
    expect(analyse('dent in zone 8', lexicon).filter((t) => t.kind === 'zone')).toMatchObject([{ zone: 8, surface: 'zone 8' }]);
    expect(concepts('zone 8')).toEqual(concepts('driver-side rocker panel'));
  });
});

describe('analyse: negation', () => {
  it('reads a negated damage word as clean, never as the damage', () => {
    for (const text of ['no damage', 'without scratches', 'scratch-free', 'dent free', 'no scratches or dents detected', 'free of dents', 'clean']) {
      expect(new Set(concepts(text)), text).toEqual(new Set(['c:clean']));
    }
    expect(concepts("isn't clean")).toEqual(['c:damage']);
    expect(concepts('not damaged')).toEqual(['c:clean']);
  });

  it('ends the scope at a clause boundary or a breaker, and never negates a part', () => {
    expect(concepts('no damage, dented door')).toEqual(['c:clean', 'c:damage', 'c:dent', 'c:door']);
    expect(concepts('no scratches but a dent')).toEqual(['c:clean', 'c:damage', 'c:dent']);
    expect(concepts('no damage on the door')).toEqual(['c:clean', 'c:door']);
    const negated = analyse('door without scratches', lexicon).find((t) => t.kind === 'concept' && t.negated);
    expect(negated).toMatchObject({ surface: 'scratches', concept: { id: 'scratch' } });
  });

  it('reads a clean context as clean and a damaged one as its types', () => {
    const clean = 'Vehicle zone: hood_center (frontal area). Inspected part: Central hood panel. Surface condition: Clean paint, no scratches or dents detected. Panel integrity: Normal alignment, intact surface.';
    expect(concepts(clean)).not.toContain('c:dent');
    expect(concepts(clean)).not.toContain('c:scratch');
    expect(concepts(clean)).toContain('c:clean');
    const damaged = 'Vehicle zone: rear_bumper (posterior area). Affected part: Rear bumper cover centre section. Damage types: dent (metal deformation, 1 instance).';
    expect(new Set(concepts(damaged))).toEqual(new Set(['c:rear', 'c:bumper', 'c:centre', 'c:damage', 'c:dent']));
  });
});
