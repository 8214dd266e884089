import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQueryEmbedder, type QueryEmbedder } from '../core/embedder/query';
import { writeTextWorkspace } from '../core/retriever/text-workspace';
import { loadClipTokenizer } from '../core/text/clip-tokenizer';
import { domainCorpus } from '../core/text/domain-corpus';
import { readQueryForSearch } from './query-interpretation';

let dir: string;
let query: QueryEmbedder;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-query-reading-'));
  await writeTextWorkspace(dir, domainCorpus(await loadClipTokenizer()));
  query = await loadQueryEmbedder(dir);
}, 120_000);
afterAll(async () => {
  await query?.embedder.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('readQueryForSearch', () => {
  it("gives the renderer the reading in the contract's filter names, and the retriever what the filters leave open", async () => {
    const open = await readQueryForSearch('  dented rear bumper ', query.embedder, {});
    expect(open.soft).toEqual({ vehicle_zone: ['5'], damage_type: ['dent'] });
    expect(open.interpretation).toEqual({
      summary: 'zone 5 (rear bumper) · dent',
      part: 'rear bumper',
      negated: [],
      notes: [],
      proposals: [
        { kind: 'zone', label: 'zone 5 (rear bumper)', filters: { zones: ['5'] }, confirmed: false },
        { kind: 'damage_type', label: 'dent', filters: { damageTypes: ['dent'] }, confirmed: false },
      ],
    });
    const confirmed = await readQueryForSearch('dented rear bumper', query.embedder, { damage_type: ['dent'] });
    expect(confirmed.soft).toEqual({ vehicle_zone: ['5'] });
    expect(confirmed.interpretation!.proposals.map((p) => p.confirmed)).toEqual([false, true]);
  });

  it('reads nothing without a text, and clean with its negated words', async () => {
    expect(await readQueryForSearch('  ', query.embedder, {})).toEqual({ soft: undefined, interpretation: null });
    const clean = await readQueryForSearch('hood without scratches', query.embedder, {});
    expect(clean.soft).toEqual({ vehicle_zone: ['2'], has_damage: false });
    expect(clean.interpretation).toMatchObject({ negated: ['scratches'], proposals: [{ label: 'zone 2 (hood)' }, { kind: 'has_damage', label: 'clean', filters: { hasDamage: false } }] });
  });
});
