import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DamageType } from '../domain/damage-types';
import { loadQueryEmbedder } from '../embedder/query';
import { writeFixtureWorkspace } from '../fixture/workspace-fixture';
import { exactTopK } from '../index/vectors';
import { alignmentParts } from './partition';
import { readTowers, type Towers } from './towers';

/** Words an inspector would type for a damage type (the lexicon reads each). */
const WORDS: Record<DamageType, string> = {
  dent: 'dent',
  crack: 'crack',
  surface_scratch: 'scratch',
  deep_scratch: 'deep scratch',
  missing_part: 'missing part',
  missing_accessory: 'missing accessory',
  misaligned_part: 'misaligned part',
  paint_peeling: 'paint peeling',
  unspecified_damage: 'damage',
};

/** Phase 3 on a small pipeline-built workspace (the offline model) fits the map; typed queries then use it. */
describe('text ↔ image alignment on a small workspace', () => {
  let dir: string;
  let workspace: string;
  let towers: Towers;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-alignment-'));
    ({ workspace } = await writeFixtureWorkspace(dir));
    towers = (await readTowers(workspace))!;
  }, 240_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('phase 3 stored a map fitted on the training claims only', () => {
    expect(towers.aligned).toBe(false);
    const stored = towers.alignment!;
    expect(stored.info.model).toBe(towers.model);
    expect([stored.map.textDim, stored.map.imageDim]).toEqual([towers.textDim, towers.imageDim]);
    const parts = alignmentParts(towers.records);
    const training = parts.filter((p) => p !== 'heldout').length;
    expect(stored.info.fitted_on).toBeGreaterThan(0);
    expect(stored.info.fitted_on).toBeLessThanOrEqual(training);
    expect(stored.info.parts.heldout).toBe(parts.length - training);
  });

  it('removing the contexts from the items still ranks by pixels', async () => {
    const { records } = towers;
    const counts = new Map<DamageType, number>();
    for (const r of records) for (const t of r.damage_types) counts.set(t, (counts.get(t) ?? 0) + 1);
    const [type, relevant] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const { embedder } = await loadQueryEmbedder(workspace);
    let query: Float32Array;
    try {
      query = await embedder.embedQuery({ text: WORDS[type] });
    } finally {
      await embedder.dispose();
    }
    const { imageDim, textDim } = towers;
    expect(query.length).toBe(imageDim + textDim);
    // The typed query now carries an image block: the mapped text.
    expect(query.subarray(0, imageDim).some((v) => v !== 0)).toBe(true);
    // The items without their contexts: the concat vectors with the text block zeroed, so only pixels can match.
    const items = new Float32Array(records.length * (imageDim + textDim));
    records.forEach((_, i) => items.set(towers.image.subarray(i * imageDim, (i + 1) * imageDim), i * (imageDim + textDim)));
    const top = exactTopK(items, imageDim + textDim, query, 5, null).map((n) => records[n.row]!);
    const precision = top.filter((r) => r.damage_types.includes(type)).length / top.length;
    const prior = relevant / records.length;
    expect(precision).toBeGreaterThan(prior);
  });
});
