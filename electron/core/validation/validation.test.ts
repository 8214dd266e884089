import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import type { DamageType } from '../domain/damage-types';
import { fuse, fusedDim } from '../embedder/fusion';
import { TOWER_FILES } from '../embedder/run';
import { buildIndex } from '../index';
import { CropTable } from '../index/crop-table';
import { readCropTable, writeCropTable } from '../index/crop-table-file';
import { syntheticRecords, syntheticVectors, writeSyntheticEmbeddings } from '../index/synthetic';
import { Retriever } from '../retriever';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { liveGenerationDir } from '../workspace/generations';
import { writeNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { filterCases, runFilterChecks, runValidation, validationReportPaths } from '.';
import { sampleRows } from './metrics';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'carlens-validation-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function phase3Reference(ws: string): Promise<{ source: string; records: Map<string, CropRecord> }> {
  const source = join(liveGenerationDir(workspacePaths(ws).embeddingsDir), 'metadata.json');
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
    const generationPath = join(workspacePaths(ws).indexDir, `gen-${generation}`);
    const records = (await readCropTable(generationPath)).records().map((r) => ({ ...r }));
    const [topZone] = filterCases(records)[0]!.filters.vehicle_zone as string;
    // Relabel every crop of another zone as the most frequent zone: the zone filter now lets them through.
    const victims = records.filter((r) => r.vehicle_zone !== null && r.vehicle_zone !== topZone);
    for (const r of victims) r.vehicle_zone = topZone!;
    await writeCropTable(generationPath, CropTable.fromRecords(records));

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
    // This phase 3 output has no tower vectors: no per-strategy rows, and the report says why.
    expect(report.fusion).toMatchObject({ source: null, rows: [] });
    expect(report.fusion.note).toMatch(/re-run phase 3/);
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
    expect(existsSync(validationReportPaths(fresh).json)).toBe(false);
    expect(existsSync(workspacePaths(fresh).validationDir)).toBe(false);
  });
});

describe('fusion strategies and query kinds, from the tower vectors', () => {
  const COUNT = 90;
  const IMAGE_DIM = 6;

  /** A phase 3 output of COUNT crops, three per photo, concat-fused from seeded towers; crop `noText` has no text. */
  async function towerWorkspace(name: string, textDim: number, aligned: boolean, noText: number | null = null): Promise<{ ws: string; image: Float32Array; records: CropRecord[] }> {
    const ws = join(root, name);
    const image = syntheticVectors(COUNT, IMAGE_DIM, 31, 6);
    const text = syntheticVectors(COUNT, textDim, 32, 6);
    if (noText !== null) text.fill(0, noText * textDim, (noText + 1) * textDim);
    const records = syntheticRecords(COUNT, 33, 'tower-model').map((r, i) => ({ ...r, source_image: `photo-${Math.floor(i / 3)}` }));
    const fusion = { strategy: 'concat' as const, alpha: 0.7, beta: 0.3 };
    const dim = fusedDim(fusion, IMAGE_DIM, textDim);
    const fused = new Float32Array(COUNT * dim);
    for (let i = 0; i < COUNT; i++) {
      const t = i === noText ? null : text.subarray(i * textDim, (i + 1) * textDim);
      fused.set(fuse(image.subarray(i * IMAGE_DIM, (i + 1) * IMAGE_DIM), t, fusion, IMAGE_DIM, textDim), i * dim);
    }
    const dir = workspacePaths(ws).embeddingsDir;
    await writeNpy(join(dir, 'embeddings.npy'), fused, [COUNT, dim]);
    await writeNpy(join(dir, TOWER_FILES.image), image, [COUNT, IMAGE_DIM]);
    await writeNpy(join(dir, TOWER_FILES.text), text, [COUNT, textDim]);
    await writeJsonAtomic(join(dir, 'metadata.json'), { version: 1, crops: records });
    await writeJsonAtomic(join(dir, 'generation_info.json'), { model: 'tower-model', aligned, dim, fusion: 'concat', alpha: 0.7, beta: 0.3, manifest_path: 'unused', multi_patch: true });
    await buildIndex({ workspace: ws });
    return { ws, image, records };
  }

  it('scores a photo query as a search of the image tower alone, and a crop query as the index does', async () => {
    const { ws, image, records } = await towerWorkspace('towers-unaligned', 4, false);
    const report = await runValidation({ workspace: ws, k: 5 });
    const [concat, ...others] = report.fusion.rows;
    expect(concat).toMatchObject({ strategy: 'concat', alpha: 0.7, beta: 0.3, dim: 10, count: COUNT, indexed: true, unavailable: null });
    // The crop query is each crop's own stored vector: the same figures as the retriever's leakage-free search.
    expect(concat!.queries!.crop).toEqual(report.leakage_free);
    // For concat a photo query ranks by the image block alone: the figures of an index of the image vectors.
    const imageOnly = join(root, 'towers-image-only');
    const dir = workspacePaths(imageOnly).embeddingsDir;
    await writeNpy(join(dir, 'embeddings.npy'), image, [COUNT, IMAGE_DIM]);
    await writeJsonAtomic(join(dir, 'metadata.json'), { version: 1, crops: records });
    await writeJsonAtomic(join(dir, 'generation_info.json'), { model: 'tower-model', dim: IMAGE_DIM, fusion: 'concat' });
    await buildIndex({ workspace: imageOnly });
    const reference = (await runValidation({ workspace: imageOnly, k: 5 })).leakage_free;
    expect(concat!.queries!.photo).toEqual(reference);
    expect(concat!.queries!.photo).not.toEqual(concat!.queries!.crop);
    // Unaligned towers of different sizes cannot be averaged: both other strategies are listed as unavailable.
    expect(others.map((r) => [r.strategy, r.queries, r.indexed])).toEqual([['weighted', null, false], ['average', null, false]]);
    for (const r of others) expect(r.unavailable).toMatch(/not aligned/);
    const html = await readFile(validationReportPaths(ws).html, 'utf8');
    expect(html).toContain('photo only (image tower)');
    expect(html).toContain('Not scored: weighted (α 0.7, β 0.3): fusion');
  });

  it('scores every strategy of an aligned model and marks only the indexed one', async () => {
    const { ws } = await towerWorkspace('towers-aligned', IMAGE_DIM, true, 5);
    const rows = (await runValidation({ workspace: ws, k: 5 })).fusion.rows;
    // Text queries come from crops with a text only (crop 5 has none).
    for (const r of rows) expect([r.queries!.photo.has_damage.queries, r.queries!.text.has_damage.queries]).toEqual([COUNT, COUNT - 1]);
    expect(rows.map((r) => [r.strategy, r.dim, r.indexed, r.unavailable])).toEqual([
      ['concat', 12, true, null],
      ['weighted', IMAGE_DIM, false, null],
      ['average', IMAGE_DIM, false, null],
    ]);
    // The strategies fuse the items differently, so their crop-query figures differ.
    expect(new Set(rows.map((r) => r.queries!.crop.has_damage.precision)).size).toBeGreaterThan(1);
  });
});
