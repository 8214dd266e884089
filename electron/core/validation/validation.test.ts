import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import type { DamageType } from '../domain/damage-types';
import { buildIndex } from '../index';
import { syntheticRecords, writeSyntheticEmbeddings } from '../index/synthetic';
import { Retriever } from '../retriever';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { writeNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { filterCases, runFilterChecks, runValidation } from '.';
import { sampleRows } from './metrics';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'carlens-validation-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function phase3Reference(ws: string): Promise<{ source: string; records: Map<string, CropRecord> }> {
  const source = join(workspacePaths(ws).embeddingsDir, 'metadata.json');
  const { crops } = JSON.parse(await readFile(source, 'utf8')) as { crops: CropRecord[] };
  return { source, records: new Map(crops.map((c) => [c.crop_id, c])) };
}

describe('filter checks', () => {
  let ws: string;
  let generation: number;
  beforeAll(async () => {
    ws = join(root, 'filters');
    await writeSyntheticEmbeddings(ws, { count: 800, dim: 24, seed: 5 });
    ({ generation } = await buildIndex({ workspace: ws }));
  });

  it('cover every filter kind and pass on a correct index', async () => {
    const retriever = await Retriever.open(ws);
    const names = filterCases(retriever.index.records).map((c) => c.name);
    expect(names).toEqual([
      'vehicle_zone (one)',
      'vehicle_zone (list)',
      'has_damage true',
      'has_damage false',
      'damage_type (one)',
      'damage_type (list)',
      'zone + clean',
      'zone + damage + type',
    ]);
    const checks = runFilterChecks(retriever, await phase3Reference(ws), sampleRows(retriever.index.size, 20), 5);
    expect(checks.checks.map((c) => [c.name, c.mismatches, c.underfilled])).toEqual(names.map((n) => [n, 0, 0]));
    expect(checks).toMatchObject({ passed: true, violation_count: 0, violations: [], sampled_queries: 20 });
  });

  it('fail, naming the query and filter, when the index metadata gives crops a wrong zone', async () => {
    const metadataPath = join(workspacePaths(ws).indexDir, `gen-${generation}`, 'metadata.json');
    const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as { records: CropRecord[] };
    const [topZone] = filterCases(metadata.records)[0]!.filters.vehicle_zone as string;
    // Relabel every crop of another zone as the most frequent zone: the zone filter now lets them through.
    const victims = metadata.records.filter((r) => r.vehicle_zone !== null && r.vehicle_zone !== topZone);
    for (const r of victims) r.vehicle_zone = topZone!;
    await writeFile(metadataPath, JSON.stringify(metadata));

    const retriever = await Retriever.open(ws);
    const checks = runFilterChecks(retriever, await phase3Reference(ws), sampleRows(retriever.index.size, 20), 5);
    expect(checks.passed).toBe(false);
    const zoneCheck = checks.checks.find((c) => c.name === 'vehicle_zone (one)')!;
    expect(zoneCheck.passed).toBe(false);
    expect(zoneCheck.mismatches).toBeGreaterThan(0);
    const violation = checks.violations.find((v) => v.check === 'vehicle_zone (one)')!;
    expect(violation).toMatchObject({ kind: 'mismatch', filters: { vehicle_zone: topZone } });
    expect(violation.query_crop_id).toMatch(/^crop-/);
    expect(violation.detail).toContain(`the index says zone ${topZone}`);
    expect(checks.violation_count).toBeGreaterThanOrEqual(checks.violations.length);
  });
});

describe('leakage-free P@5 on a tiny hand-built index', () => {
  /*
   * Eight unit vectors on a quarter circle at angles 0 1 4 9 15 22 32 34 degrees (a Golomb ruler: no two
   * pairs are equally far apart, so no rank ties), two crops per photo: A {0,1} B {2,3} C {4,5} D {6,7}.
   * With the query's photo left out, 6 crops remain and the top 5 drops only the farthest:
   *   q0, q1 → 2 3 4 5 6      q2, q3 → 0 1 4 5 6      q4 → 0 1 2 3 6
   *   q5     → 1 2 3 6 7      q6, q7 → 1 2 3 4 5
   */
  const angles = [0, 1, 4, 9, 15, 22, 32, 34];
  const damaged = [true, true, false, true, false, false, true, false];
  const types: DamageType[][] = [['dent'], ['dent', 'crack'], [], ['crack'], [], [], ['surface_scratch'], []];
  const zones = ['1', '1', '1', '2', '2', '3', '3', null];
  let ws: string;

  beforeAll(async () => {
    ws = join(root, 'tiny');
    const dim = 4;
    const vectors = new Float32Array(angles.length * dim);
    angles.forEach((deg, i) => {
      vectors[i * dim] = Math.cos((deg * Math.PI) / 180);
      vectors[i * dim + 1] = Math.sin((deg * Math.PI) / 180);
    });
    const records = syntheticRecords(angles.length, 1, 'tiny-model').map((r, i) => ({
      ...r,
      source_image: `photo-${'ABCD'[i >> 1]}`,
      has_damage: damaged[i]!,
      damage_types: types[i]!,
      vehicle_zone: zones[i]!,
    }));
    const dir = workspacePaths(ws).embeddingsDir;
    await writeNpy(join(dir, 'embeddings.npy'), vectors, [angles.length, dim]);
    await writeJsonAtomic(join(dir, 'metadata.json'), { version: 1, crops: records });
    await writeJsonAtomic(join(dir, 'generation_info.json'), { model: 'tiny-model', dim, fusion: 'concat' });
    await buildIndex({ workspace: ws });
  });

  it('matches the hand count, on the index and on the embeddings folder alike', async () => {
    const report = await runValidation({ workspace: ws, k: 5 });
    const lf = report.leakage_free;
    // has_damage: hits per query 2 2 2 3 1 2 2 3 of 5 → 17 / 40.
    expect(lf.has_damage.queries).toBe(8);
    expect(lf.has_damage.precision).toBeCloseTo(17 / 40, 10);
    // Damaged queries q0 q1 q3 q6 share a type with 0, 1 (q3), 1 (q1), 0 results → 2 / 20.
    expect(lf.damage_type.queries).toBe(4);
    expect(lf.damage_type.precision).toBeCloseTo(2 / 20, 10);
    // Zoned queries q0..q6 find 1 1 2 1 1 1 1 crops of their zone → 8 / 35; q7 has no zone and is left out.
    expect(lf.zone.queries).toBe(7);
    expect(lf.zone.precision).toBeCloseTo(8 / 35, 10);
    expect(lf.per_type).toEqual([
      { type: 'surface_scratch', queries: 1, precision: 0 },
      { type: 'dent', queries: 2, precision: expect.closeTo(1 / 10, 10) },
      { type: 'crack', queries: 2, precision: expect.closeTo(2 / 10, 10) },
    ]);
    // The embeddings folder is scored by an exact scan of its own vectors: same figures, and it is the indexed one.
    expect(report.fusion).toHaveLength(1);
    expect(report.fusion[0]).toMatchObject({ folder: 'embeddings', strategy: 'concat', indexed: true, has_damage: lf.has_damage, zone: lf.zone });
    expect(report.fusion[0]!.damage_type).toEqual(lf.damage_type);
    // Leakage-free neighbours never come from the query's photo.
    for (const e of report.examples) {
      const photo = (id: string): string => `photo-${'ABCD'[Number(id.slice(-6)) >> 1]}`;
      for (const r of e.results) expect(photo(r.crop_id)).not.toBe(photo(e.query.crop_id));
    }
  });

  it('computes coverage with and without the query crop, by the hand count', async () => {
    const { coverage } = await runValidation({ workspace: ws, k: 5 });
    // Unfiltered top 6, self first: q0 0 1 2 3 4|5, q1 1 0 2 3 4|5, q3 3 2 4 1 0|5, q6 6 7 5 4 3|2.
    // Damaged among the first 5: 3 3 3 2 → 11/20; among the 5 after self: 2 2 2 1 → 7/20 (below 60 %).
    expect(coverage.damaged).toEqual({ queries: 4, with_self: expect.closeTo(11 / 20, 10), without_self: expect.closeTo(7 / 20, 10), threshold: 0.6, passed: false });
    // q2 2 1 0 3 4|5, q4 4 3 5 2 1|0, q5 5 4 6 7 3|2, q7 7 6 5 4 3|2: clean 2 3 3 3 → 11/20, after self 2 2 3 3 → 10/20.
    expect(coverage.clean).toEqual({ queries: 4, with_self: expect.closeTo(11 / 20, 10), without_self: expect.closeTo(10 / 20, 10), threshold: 0.6, passed: false });
  });

  it('stops on an aborted signal without writing a report', async () => {
    const fresh = join(root, 'aborted');
    await writeSyntheticEmbeddings(fresh, { count: 50, dim: 8, seed: 2 });
    await buildIndex({ workspace: fresh });
    const controller = new AbortController();
    const run = runValidation({ workspace: fresh, signal: controller.signal, onProgress: (p) => p.stage === 'queries' && controller.abort() });
    await expect(run).rejects.toThrow(/abort/i);
    expect(existsSync(join(workspacePaths(fresh).validationDir, 'report.json'))).toBe(false);
  });
});
