import { describe, expect, it } from 'vitest';
import { stem } from './stem';

describe('stem', () => {
  it('brings the inflections inspectors write to one stem', () => {
    const same = [
      ['dent', 'dents', 'dented', 'denting'],
      ['scratch', 'scratches', 'scratched', 'scratching'],
      ['scuff', 'scuffs', 'scuffed'],
      ['chip', 'chips', 'chipped', 'chipping'],
      ['flake', 'flakes', 'flaked', 'flaking'],
      ['damage', 'damages', 'damaged'],
      ['crack', 'cracks', 'cracked'],
      ['headlight', 'headlights'],
      ['ding', 'dings', 'dinged'],
    ];
    for (const forms of same) expect(new Set(forms.map(stem)), forms.join(', ')).toEqual(new Set([stem(forms[0]!)]));
  });

  it('keeps apart what only looks inflected, and short words', () => {
    expect(stem('glass')).toBe('glass');
    expect(stem('chassis')).toBe('chassis');
    expect(stem('red')).toBe('red');
    expect(stem('ring')).toBe('ring');
    expect(stem('free')).toBe('free');
    expect(stem('deeply')).toBe('deep');
    expect(stem('dent')).not.toBe(stem('door'));
  });
});
