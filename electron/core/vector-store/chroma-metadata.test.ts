import { describe, expect, it } from 'vitest';
import { chromaFilter, cropMetadata } from './chroma-metadata';

describe('Chroma metadata and filters', () => {
  it('stores the filter fields as scalars: one key per damage type, no key for an unknown zone', () => {
    expect(cropMetadata({ vehicle_zone: null, has_damage: true, damage_types: ['dent', 'crack'], source_image: 'p1' })).toEqual({
      has_damage: true,
      source_image: 'p1',
      damage_dent: true,
      damage_crack: true,
    });
    expect(cropMetadata({ vehicle_zone: '4', has_damage: false, damage_types: [], source_image: 'p2' })).toEqual({ has_damage: false, source_image: 'p2', vehicle_zone: '4' });
  });

  it('translates each filter kind, joining two or more clauses and leaving single ones bare', () => {
    expect(chromaFilter(undefined)).toEqual({ kind: 'all' });
    expect(chromaFilter({ exclude_source_image: [] })).toEqual({ kind: 'all' });
    expect(chromaFilter({ damage_type: 'dent' })).toEqual({ kind: 'where', where: { damage_dent: true } });
    expect(chromaFilter({ vehicle_zone: '3', has_damage: true, damage_type: ['dent', 'crack', 'dent'], exclude_source_image: 'p9' })).toEqual({
      kind: 'where',
      where: {
        $and: [{ vehicle_zone: { $in: ['3'] } }, { has_damage: true }, { $or: [{ damage_dent: true }, { damage_crack: true }] }, { source_image: { $nin: ['p9'] } }],
      },
    });
  });

  it('an empty "any of" list lets nothing pass, as recordFilter does', () => {
    expect(chromaFilter({ vehicle_zone: [] })).toEqual({ kind: 'none' });
    expect(chromaFilter({ has_damage: true, damage_type: [] })).toEqual({ kind: 'none' });
  });
});
