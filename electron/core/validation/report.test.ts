import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContexts } from '../contexts';
import { runCrops } from '../crops';
import { loadDataset } from '../dataset/load';
import { runEmbeddings } from '../embedder/run';
import { writeFixture } from '../fixture/fixture';
import { buildIndex } from '../index';
import { INSPECTION_ROWS } from './inspection-table';
import { REPORT_VERSION, runValidation, validationReportPaths, type ValidationReport, type ValidationProgress } from '.';

/** The real pipeline (detector, contexts, offline embedder, faiss) over a small generated fixture, then phase 5. */
let ws: string;
let report: ValidationReport;
const progress: ValidationProgress[] = [];

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'carlens-validation-report-'));
  const fixture = join(ws, 'fixtures', 'fx');
  await writeFixture(fixture, { ko: 6, ok: 4, seed: 2 });
  await runCrops({ dataset: await loadDataset(fixture), workspace: ws });
  await runContexts({ workspace: ws });
  await runEmbeddings({ workspace: ws });
  await buildIndex({ workspace: ws });
  report = await runValidation({ workspace: ws, k: 5, onProgress: (p) => progress.push(p) });
});
afterAll(async () => {
  await rm(ws, { recursive: true, force: true });
});

describe('runValidation on a fixture workspace', () => {
  it('writes a versioned report.json equal to the returned report', async () => {
    const paths = validationReportPaths(ws);
    const written = JSON.parse(await readFile(paths.json, 'utf8')) as ValidationReport;
    expect(written).toEqual(report);
    expect(written.version).toBe(REPORT_VERSION);
    expect(Object.keys(written).sort()).toEqual(
      ['coverage', 'examples', 'filter_checks', 'fusion', 'generated_at', 'index', 'index_stale', 'inspection', 'k', 'leakage_free', 'passed', 'scores', 'text_alignment', 'text_queries', 'version', 'workspace'].sort(),
    );
    expect(written.index).toMatchObject({ generation: 1, model: expect.any(String), index_type: 'flat' });
    expect(written.filter_checks.reference).toBe(join(ws, 'embeddings', 'gen-1', 'metadata.json'));
    expect(written.filter_checks.passed).toBe(true);
    expect(written.passed).toBe(true);
    const n = written.index.count;
    expect(written.coverage.damaged.queries + written.coverage.clean.queries).toBe(n);
    expect(written.leakage_free.has_damage.queries).toBe(n);
    for (const p of [written.leakage_free.has_damage, written.leakage_free.damage_type, written.leakage_free.zone]) {
      expect(p.precision).toBeGreaterThanOrEqual(0);
      expect(p.precision).toBeLessThanOrEqual(1);
    }
    expect(written.leakage_free.per_type.length).toBeGreaterThan(0);
    // The offline model is unaligned: concat (indexed) is scored, and the other strategies through the text → image
    // map phase 3 fitted on the training claims.
    expect(written.fusion.rows.map((r) => [r.strategy, r.indexed, r.unavailable === null])).toEqual([['concat', true, true], ['weighted', false, true], ['average', false, true]]);
    expect(written.fusion.note).toMatch(/text → image map/);
    expect(written.text_alignment).toMatchObject({ model: written.index.model, ownContexts: expect.any(Array) });
    expect(written.fusion.rows[0]!.queries!.crop).toEqual(written.leakage_free);
    expect(written.fusion.rows[0]!.queries!.photo.has_damage.queries).toBe(n);
    expect(written.scores.top1).toHaveLength(n);
    // Neighbour scores fall with rank.
    written.scores.topk.forEach((s, i) => expect(s).toBeLessThanOrEqual(written.scores.top1[i]! + 1e-9));
    expect(written.examples).toHaveLength(6);
    expect(written.examples.some((e) => e.query.has_damage) && written.examples.some((e) => !e.query.has_damage)).toBe(true);
    for (const e of written.examples) expect(e.results).toHaveLength(5);
    // The fixture's held-out photos (split by claim) are inspected as dropped photos, neighbours from the rest.
    if ('unavailable' in written.inspection) throw new Error(`inspection not measured: ${written.inspection.unavailable}`);
    const all = written.inspection.figures[0]!;
    expect(all.source).toBe('all');
    expect(all.photos.damaged + all.photos.clean).toBeGreaterThan(0);
    expect(written.inspection.neighboursUnavailable).toBeNull();
    expect(all.damage.brier).toBeGreaterThanOrEqual(0);
    expect(progress.some((p) => p.stage === 'inspection')).toBe(true);
    expect(progress.at(-1)).toEqual({ stage: 'report', done: 1, total: 1 });
  });

  it('writes a self-contained report.html: no URL, inline SVG plots, the example crops as JPEG data URIs', async () => {
    const html = await readFile(validationReportPaths(ws).html, 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link)\b/);
    // Score histogram, per-type bars, inspection reliability.
    expect(html.match(/<svg\b/g)?.length).toBe(3);
    const images = html.match(/<img src="data:image\/jpeg;base64,[A-Za-z0-9+/=]+"/g) ?? [];
    // 6 queries with 5 results each.
    expect(images).toHaveLength(36);
    expect(html).not.toContain('no image');
  });

  it('renders in headless Chromium with every table visible and nothing fetched', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const fetched: string[] = [];
      page.on('request', (r) => fetched.push(r.url()));
      await page.goto(`file://${validationReportPaths(ws).html}`);
      for (const id of ['filter-checks', 'coverage', 'leakage-free', 'per-type', 'fusion', 'inspection-table', 'text-queries-table']) {
        await expect.poll(() => page.locator(`#${id}`).isVisible(), { message: id }).toBe(true);
      }
      expect(await page.locator('#filter-checks tbody tr').count()).toBe(report.filter_checks.checks.length);
      expect(await page.locator('svg').count()).toBe(3);
      expect(await page.locator('#inspection-table tbody tr').count()).toBe(INSPECTION_ROWS.length);
      // Every image decoded (a broken data URI has naturalWidth 0).
      const widths = await page.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
      expect(widths).toHaveLength(36);
      expect(widths.every((w) => w > 0)).toBe(true);
      expect(fetched.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      const shot = resolve('test-results/screenshots/validation-report.png');
      await mkdir(resolve('test-results/screenshots'), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
