import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CropRecord } from '../crops/crop-record';
import { Retriever, type RetrievalResult } from '../retriever';
import { writeFileAtomic, writeJsonAtomic } from '../workspace/atomic-write';
import { liveGenerationDir, writeNewGeneration } from '../workspace/generations';
import { indexStaleness } from '../pipeline/phase-states';
import { withWorkspaceLock } from '../workspace/lock';
import { recordPhaseOutcome } from '../workspace/phase-record';
import { workspacePaths } from '../workspace/workspace';
import { runFilterChecks } from './filter-checks';
import { compareFusions, readTowers } from './fusion-comparison';
import { renderReportHtml } from './html';
import { inspectionSection, type InspectionSection } from './inspection-section';
import { textQuerySection } from './text-queries-section';
import { alignmentSection } from './alignment-section';
import { coverage, leakageFreePrecision, sampleRows, type QueryNeighbours } from './metrics';
import { REPORT_VERSION, type Example, type ExampleCrop, type ValidationReport } from './report';
import { thumbnailDataUri } from './thumbnails';

export interface ValidationProgress {
  stage: 'filters' | 'queries' | 'fusion' | 'inspection' | 'report';
  done: number;
  total: number;
}

export interface RunValidationOptions {
  workspace: string;
  k?: number;
  /** Queries per filter check. */
  filterQueries?: number;
  /** Cap on the queries behind coverage and precision (spread evenly over the index); every crop by default up to this. */
  maxQueries?: number;
  examples?: number;
  /** Held-out photos inspected per source (default all); 0 leaves the inspection section out. */
  inspectionPhotosPerSource?: number;
  onProgress?: (progress: ValidationProgress) => void;
  signal?: AbortSignal;
}

export const DEFAULT_FILTER_QUERIES = 25;
export const DEFAULT_MAX_QUERIES = 5_000;
export const DEFAULT_EXAMPLES = 6;

const REPORT_FILES = { json: 'report.json', html: 'report.html' } as const;

/** The live report: the files of validation/'s current generation (or of its flat layout, before generations). */
export function validationReportPaths(workspace: string): { json: string; html: string } {
  return reportPathsIn(liveGenerationDir(workspacePaths(workspace).validationDir));
}

function reportPathsIn(dir: string): { json: string; html: string } {
  return { json: join(dir, REPORT_FILES.json), html: join(dir, REPORT_FILES.html) };
}

/** Phase 3's record of each crop: what the index's metadata is checked against. */
async function referenceRecords(workspace: string, indexRecords: readonly CropRecord[]): Promise<{ source: string; records: Map<string, CropRecord> }> {
  const path = join(liveGenerationDir(workspacePaths(workspace).embeddingsDir), 'metadata.json');
  if (!existsSync(path)) {
    return { source: 'index metadata (no phase 3 metadata.json)', records: new Map(indexRecords.map((r) => [r.crop_id, r])) };
  }
  let crops: unknown;
  try {
    crops = (JSON.parse(await readFile(path, 'utf8')) as { crops?: unknown }).crops;
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(crops)) throw new Error(`${path}: no "crops" list`);
  return { source: path, records: new Map((crops as CropRecord[]).map((r) => [r.crop_id, r])) };
}

function exampleCrop(r: CropRecord | RetrievalResult): ExampleCrop {
  return 'vehicle_zone' in r
    ? { crop_id: r.crop_id, crop_path: r.crop_path, zone: r.vehicle_zone, has_damage: r.has_damage, damage_types: r.damage_types }
    : { crop_id: r.crop_id, crop_path: r.crop_path, zone: r.zone, has_damage: r.has_damage, damage_types: r.damage_types };
}

/** Damaged and clean queries alternately, spread over the index, so the examples show both classes. */
function pickExamples(records: readonly CropRecord[], rows: readonly number[], count: number): number[] {
  const damaged = rows.filter((r) => records[r]!.has_damage);
  const clean = rows.filter((r) => !records[r]!.has_damage);
  const half = Math.ceil(count / 2);
  const take = (list: number[], n: number): number[] => sampleRows(list.length, n).map((i) => list[i]!);
  const d = take(damaged, Math.max(half, count - clean.length));
  const c = take(clean, count - d.length);
  return [...d, ...c].slice(0, count);
}

/**
 * Phase 5: validates the current index with its own stored vectors as queries (no re-embedding), writes
 * report.json and a self-contained report.html as a new generation of validation/, and returns the report; under
 * the workspace lock.
 */
export function runValidation(options: RunValidationOptions): Promise<ValidationReport> {
  return withWorkspaceLock(options.workspace, 'phase 5 (validation)', () => validateWorkspace(options));
}

async function validateWorkspace(options: RunValidationOptions): Promise<ValidationReport> {
  const { workspace, signal } = options;
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
  const progress = options.onProgress ?? (() => undefined);
  const stopIfAborted = (): void => signal?.throwIfAborted();

  const retriever = await Retriever.open(workspace);
  const { index } = retriever;
  const { records, config } = index;
  if (index.size === 0) throw new Error(`the index of ${workspace} is empty: nothing to validate`);

  const reference = await referenceRecords(workspace, records);
  const filterRows = sampleRows(index.size, options.filterQueries ?? DEFAULT_FILTER_QUERIES);
  progress({ stage: 'filters', done: 0, total: filterRows.length });
  stopIfAborted();
  const filterChecks = runFilterChecks(retriever, reference, filterRows, k);
  progress({ stage: 'filters', done: filterRows.length, total: filterRows.length });

  const queryRows = sampleRows(index.size, options.maxQueries ?? DEFAULT_MAX_QUERIES);
  const unfiltered: QueryNeighbours[] = [];
  const leakFree: QueryNeighbours[] = [];
  const leakFreeResults = new Map<number, RetrievalResult[]>();
  const scores: ValidationReport['scores'] = { top1: [], topk: [] };
  const rowOf = (r: RetrievalResult): number => index.rowOf(r.crop_id)!;
  for (const [i, row] of queryRows.entries()) {
    if (i % 64 === 0) {
      progress({ stage: 'queries', done: i, total: queryRows.length });
      stopIfAborted();
    }
    const vector = index.vector(row);
    // k + 1 so that k remain once the query's own crop is dropped.
    unfiltered.push({ row, neighbours: retriever.search(vector, { k: k + 1 }).map(rowOf) });
    // exactSubsetMax 0: answer through faiss with a widening k (exact on Flat) rather than a JS scan of nearly every row.
    const results = retriever.search(vector, { k, filters: { exclude_source_image: records[row]!.source_image }, exactSubsetMax: 0 });
    leakFree.push({ row, neighbours: results.map(rowOf) });
    leakFreeResults.set(row, results);
    if (results.length) scores.top1.push(results[0]!.score);
    if (results.length >= k) scores.topk.push(results[k - 1]!.score);
  }
  progress({ stage: 'queries', done: queryRows.length, total: queryRows.length });

  progress({ stage: 'fusion', done: 0, total: 1 });
  stopIfAborted();
  const towers = await readTowers(workspace);
  const fusion = towers
    ? compareFusions(towers, k, options.maxQueries ?? DEFAULT_MAX_QUERIES, index)
    : { source: null, note: 'phase 3 kept no tower vectors (an older output): re-run phase 3 for the per-strategy and photo-only figures', rows: [] };
  progress({ stage: 'fusion', done: 1, total: 1 });

  const perSource = options.inspectionPhotosPerSource;
  const inspection: InspectionSection =
    perSource === 0
      ? { unavailable: 'left out of this run' }
      : await inspectionSection(workspace, { k, maxPhotosPerSource: perSource, onProgress: (done, total) => progress({ stage: 'inspection', done, total }) });
  stopIfAborted();

  progress({ stage: 'report', done: 0, total: 1 });
  const examples: Example[] = pickExamples(records, queryRows, options.examples ?? DEFAULT_EXAMPLES).map((row) => ({
    query: exampleCrop(records[row]!),
    results: leakFreeResults.get(row)!.map((r) => ({ ...exampleCrop(r), rank: r.rank, score: r.score })),
  }));
  const report: ValidationReport = {
    version: REPORT_VERSION,
    generated_at: new Date().toISOString(),
    workspace: workspacePaths(workspace).root,
    index: {
      generation: config.generation,
      model: config.model,
      dim: config.dim,
      fusion: config.fusion,
      index_type: config.index_type,
      count: config.count,
    },
    index_stale: await indexStaleness(workspace),
    k,
    filter_checks: filterChecks,
    coverage: { damaged: coverage(records, unfiltered, k, true), clean: coverage(records, unfiltered, k, false) },
    leakage_free: leakageFreePrecision(records, leakFree, k),
    fusion,
    scores,
    examples,
    inspection,
    text_queries: await textQuerySection(workspace),
    text_alignment: await alignmentSection(towers),
    passed: filterChecks.passed,
  };

  const thumbnails = new Map<string, string | null>();
  for (const crop of examples.flatMap((e) => [e.query, ...e.results])) {
    if (!thumbnails.has(crop.crop_id)) thumbnails.set(crop.crop_id, await thumbnailDataUri(workspace, crop.crop_path));
  }
  stopIfAborted();
  // The two files are one set: a new generation of validation/ that goes live once both are written.
  await writeNewGeneration(
    workspacePaths(workspace).validationDir,
    async (dir) => {
      const paths = reportPathsIn(dir);
      await writeJsonAtomic(paths.json, report);
      await writeFileAtomic(paths.html, renderReportHtml(report, thumbnails));
    },
    { legacyFiles: Object.values(REPORT_FILES) },
  );
  await recordPhaseOutcome(workspace, 'validation', { records: [], counts: { crops: config.count, generation: config.generation }, extra: { generation: config.generation, passed: report.passed } });
  progress({ stage: 'report', done: 1, total: 1 });
  return report;
}
