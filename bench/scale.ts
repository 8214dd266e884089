/**
 * The index at scale as the app uses it (issue #14): opening the live generation of a synthetic workspace (time,
 * RSS; the crop table's share of the time, and its files), evaluating filters on the table's columns (the first
 * one builds the per-value bitmaps; then p50 / max over filter sets cycling, a photo exclusion among them), what
 * the per-search pointer check costs (a stat against reading the pointer's bytes), and search p50/p95 through
 * IndexService with filters cycling (none / damaged / zone / zone + type), against reopening the index per query as
 * the app did before (skipped from 500k crops: seconds and gigabytes a query). Each size is measured in a fresh
 * child process, so RSS is that of the open alone.
 *   npx tsx bench/scale.ts [sizes=10000,100000] [dim=512] [queries=200] [dir=/tmp/carlens-scale]   (sizes up to 1000000)
 * The workspaces are written once under <dir>/<size> (an index generation of real-sized synthetic records, Flat up
 * to 50k crops, IVF above: index/synthetic.ts writeSyntheticIndex) and reused by later runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_FLAT_THRESHOLD, LocalIndex } from '../electron/core/index';
import { COLUMNS_FILE, readCropTable, RECORDS_FILE } from '../electron/core/index/crop-table-file';
import { IndexService } from '../electron/core/index/service';
import { syntheticVectors, writeSyntheticIndex } from '../electron/core/index/synthetic';
import { Retriever, type SearchFilters } from '../electron/core/retriever';
import { liveGenerationDir } from '../electron/core/workspace/generations';
import { workspacePaths } from '../electron/core/workspace/workspace';

const SEED = 17;
const K = 10;
const FILTERS: [string, SearchFilters | undefined][] = [
  ['none', undefined],
  ['damaged', { has_damage: true }],
  ['zone', { vehicle_zone: '4' }],
  ['zone+type', { vehicle_zone: '4', damage_type: 'dent' }],
];
/** Filter sets evaluated on the table's columns, uncached: the search filters, a photo exclusion, a wide zone list. */
const TABLE_FILTERS: SearchFilters[] = [
  ...FILTERS.flatMap(([, filters]) => (filters ? [filters] : [])),
  { exclude_source_image: ['photo-7', 'photo-1234'] },
  { vehicle_zone: ['1', '2', '3', '4', '5'], has_damage: false, damage_type: ['dent', 'crack'] },
];
const FILTER_ROUNDS = 20;
/** Reopening costs seconds per query at 100k: this many queries time the old path. */
const REOPEN_QUERIES = (size: number) => (size >= 500_000 ? 0 : size >= 50_000 ? 6 : 40);
const POINTER_CHECKS = 2_000;

interface Measured {
  size: number;
  indexType: string;
  openS: number;
  tableOpenS: number;
  tableMb: number;
  rssBeforeMb: number;
  rssOpenMb: number;
  firstFilterMs: number;
  filterMs: { p50: number; max: number };
  statUs: number;
  readUs: number;
  service: Record<string, { p50: number; p95: number }>;
  reopen: { p50: number; p95: number; n: number };
  indexReads: number;
  searches: number;
}

const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function percentiles(times: number[]): { p50: number; p95: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

async function meanMicros(times: number, task: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < times; i++) await task();
  return ((performance.now() - t) * 1000) / times;
}

async function measure(workspace: string, size: number, dim: number, queryCount: number): Promise<Measured> {
  gc();
  const rssBeforeMb = mb();
  let indexReads = 0;
  const service = new IndexService(workspace, (ws) => {
    indexReads++;
    return LocalIndex.open(ws);
  });
  let t = performance.now();
  const index = await service.current();
  const openS = (performance.now() - t) / 1000;
  gc();
  const rssOpenMb = mb();

  const filterTimes: number[] = [];
  t = performance.now();
  index.table.filter(TABLE_FILTERS[0]);
  const firstFilterMs = performance.now() - t;
  for (let round = 0; round < FILTER_ROUNDS; round++) {
    for (const filters of TABLE_FILTERS) {
      t = performance.now();
      index.table.filter(filters);
      filterTimes.push(performance.now() - t);
    }
  }
  const generationDir = liveGenerationDir(workspacePaths(workspace).indexDir);
  t = performance.now();
  await readCropTable(generationDir);
  const tableOpenS = (performance.now() - t) / 1000;
  const tableBytes = (await stat(join(generationDir, RECORDS_FILE))).size + (await stat(join(generationDir, COLUMNS_FILE))).size;

  const pointer = join(workspacePaths(workspace).indexDir, 'current');
  const statUs = await meanMicros(POINTER_CHECKS, () => stat(pointer, { bigint: true }));
  const readUs = await meanMicros(POINTER_CHECKS, () => readFile(pointer, 'utf8'));

  // Held-out queries: the generator's rows after the indexed ones, so they fall in the same clusters.
  const all = syntheticVectors(size + queryCount, dim, SEED);
  const queries = Array.from({ length: queryCount }, (_, i) => all.slice((size + i) * dim, (size + i + 1) * dim));
  const search = async (query: Float32Array, filters: SearchFilters | undefined) =>
    Retriever.over(await service.current()).search(query, { k: K, filters });
  for (const [i, q] of queries.slice(0, 8).entries()) await search(q, FILTERS[i % FILTERS.length]![1]);
  const byFilter = new Map<string, number[]>(FILTERS.map(([name]) => [name, []]));
  for (const [i, q] of queries.entries()) {
    const [name, filters] = FILTERS[i % FILTERS.length]!;
    t = performance.now();
    await search(q, filters);
    byFilter.get(name)!.push(performance.now() - t);
  }
  const serviceTimes: Measured['service'] = { all: percentiles([...byFilter.values()].flat()) };
  for (const [name, times] of byFilter) serviceTimes[name] = percentiles(times);

  const reopenTimes: number[] = [];
  for (const [i, q] of queries.slice(0, REOPEN_QUERIES(size)).entries()) {
    t = performance.now();
    (await Retriever.open(workspace)).search(q, { k: K, filters: FILTERS[i % FILTERS.length]![1] });
    reopenTimes.push(performance.now() - t);
  }
  return {
    size,
    indexType: index.config.index_type,
    openS,
    tableOpenS,
    tableMb: tableBytes / 2 ** 20,
    rssBeforeMb,
    rssOpenMb,
    firstFilterMs,
    filterMs: { p50: percentiles(filterTimes).p50, max: Math.max(...filterTimes) },
    statUs,
    readUs,
    service: serviceTimes,
    reopen: { ...percentiles(reopenTimes), n: reopenTimes.length },
    indexReads,
    searches: queries.length + 8,
  };
}

/** An index generation of `size` synthetic crops in <dir>/<size>, unless an earlier run left one in this format. */
async function ensureWorkspace(dir: string, size: number, dim: number): Promise<string> {
  const workspace = join(dir, String(size));
  const { indexDir } = workspacePaths(workspace);
  if (existsSync(join(indexDir, 'current')) && existsSync(join(liveGenerationDir(indexDir), COLUMNS_FILE))) return workspace;
  const t = performance.now();
  const config = await writeSyntheticIndex(workspace, { count: size, dim, seed: SEED, type: size > DEFAULT_FLAT_THRESHOLD ? 'ivf' : 'flat' });
  console.error(`built ${config.index_type} over ${size} crops in ${((performance.now() - t) / 1000).toFixed(1)} s: ${workspace}`);
  return workspace;
}

const f = (n: number, digits = 2) => n.toFixed(digits);

function table(rows: Measured[]): string {
  const out = [
    '| crops | index | open | RSS: process → after open | pointer check: stat / read | service p50 / p95 (all) | p95 none / damaged / zone / zone+type | reopen per query p50 / p95 (n) | index reads in service searches |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const s = r.service;
    out.push(
      `| ${r.size.toLocaleString('en')} | ${r.indexType} | ${f(r.openS)} s | ${r.rssBeforeMb} → ${r.rssOpenMb} MB | ${f(r.statUs, 1)} / ${f(r.readUs, 1)} µs ` +
        `| ${f(s.all!.p50)} / ${f(s.all!.p95)} ms | ${FILTERS.map(([name]) => f(s[name]!.p95)).join(' / ')} ms ` +
        `| ${r.reopen.n ? `${f(r.reopen.p50, 0)} / ${f(r.reopen.p95, 0)} ms (${r.reopen.n})` : '–'} | ${r.indexReads} in ${r.searches} |`,
    );
  }
  out.push(
    '',
    '| crops | open (all) | crop table read alone | table files | RSS after open | first filter (builds bitmaps) | filter p50 / max |',
    '|---|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    out.push(
      `| ${r.size.toLocaleString('en')} | ${f(r.openS)} s | ${f(r.tableOpenS)} s | ${f(r.tableMb, 0)} MB | ${r.rssOpenMb} MB ` +
        `| ${f(r.firstFilterMs)} ms | ${f(r.filterMs.p50)} / ${f(r.filterMs.max)} ms |`,
    );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') {
    const [workspace, size, dim, queries] = process.argv.slice(3);
    console.log(JSON.stringify(await measure(workspace!, Number(size), Number(dim), Number(queries))));
    return;
  }
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const dim = Number(process.argv[3] ?? 512);
  const queries = Number(process.argv[4] ?? 200);
  const dir = process.argv[5] ?? '/tmp/carlens-scale';
  const rows: Measured[] = [];
  for (const size of sizes) {
    const workspace = await ensureWorkspace(dir, size, dim);
    const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', process.argv[1]!, '--measure', workspace, String(size), String(dim), String(queries)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`measuring ${workspace} failed (exit ${child.status})`);
    rows.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Measured);
  }
  console.log(table(rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
