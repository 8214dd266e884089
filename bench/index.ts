/**
 * Phase 4's faiss indexes on this machine (issue #14), each type beside Debian's python3-faiss on the same vectors:
 * build time (train + add), index file size, RSS, recall@10 against exact Flat, single-query search p50 / p95
 * unfiltered and filtered (shares of ~50 %, 10 %, 1 % of rows, answered as LocalIndex answers them), and a sweep of
 * efSearch / nprobe. Synthetic unit vectors clustered like crop embeddings (index/synthetic.ts), queries held out.
 *   npx tsx bench/index.ts [sizes=10000,100000] [types=flat,hnsw,ivf] [queries=200] [dim=704] [dir=/tmp/carlens-bench-index]
 * 1M is an argument (sizes=1000000; minutes). Types: flat, hnsw, ivf (the app's plans, faiss.ts) and the variants
 * hnsw16, hnsw-ef40, hnsw-sq8, ivf-sq8. Every build and search runs in a child process (bench/index-run.ts), so each
 * RSS is that index's own; python runs bench/python/index_bench.py.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planIndex, type FaissPlan } from '../electron/core/index/faiss';
import { syntheticVectors } from '../electron/core/index/synthetic';
import { writeNpy } from '../electron/core/workspace/npy';

const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const types = ['flat', ...(process.argv[3] ?? 'hnsw,ivf').split(',').filter((t) => t !== 'flat')];
const queryCount = Number(process.argv[4] ?? 200);
const dim = Number(process.argv[5] ?? 704);
const root = process.argv[6] ?? '/tmp/carlens-bench-index';
const SEED = 17;
// Debian's python3-faiss is built for Debian's interpreter, not for whatever python3 comes first on PATH.
const PYTHON_BIN = '/usr/bin/python3';
const here = import.meta.dirname;

type NamedPlan = FaissPlan & { name: string };

function planFor(name: string, rows: number): NamedPlan {
  const base = (type: 'flat' | 'hnsw' | 'ivf') => ({ ...planIndex(type, rows), name });
  switch (name) {
    case 'flat':
    case 'hnsw':
    case 'ivf':
      return base(name);
    case 'hnsw16': {
      const plan = base('hnsw');
      return { ...plan, factory: 'HNSW16,Flat', hnsw: { ...plan.hnsw!, m: 16 } };
    }
    case 'hnsw-ef40': {
      const plan = base('hnsw');
      return { ...plan, hnsw: { ...plan.hnsw!, efConstruction: 40 } };
    }
    case 'hnsw-sq8':
      return { ...base('hnsw'), factory: 'HNSW32,SQ8' };
    case 'ivf-sq8': {
      const plan = base('ivf');
      return { ...plan, factory: `IVF${plan.ivf!.nlist},SQ8` };
    }
    default:
      throw new Error(`unknown index type ${name}`);
  }
}

interface Timed {
  p50: number;
  p95: number;
  rows: number[][];
}
interface BuildOut {
  build_s: number;
  rss_mb: number;
  index_bytes: number;
}
interface SearchOut {
  open_s: number;
  open_rss_mb: number;
  unfiltered: Timed;
  filtered: (Timed & { share: number; passing: number; path: string })[];
  sweep: (Timed & { options: Record<string, number> })[];
}
interface PythonOut {
  train_s: number;
  add_s: number;
  p50_ms: number;
  p95_ms: number;
  rows: number[][];
  index_bytes: number;
  peak_rss_mb: number;
}

function child<T>(args: string[]): T {
  const run = spawnSync(process.execPath, [...process.execArgv, join(here, 'index-run.ts'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`index-run ${args[0]} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as T;
}

function recall(found: number[][], truth: number[][]): number {
  let hit = 0;
  let total = 0;
  found.forEach((rows, i) => {
    const expected = new Set(truth[i]);
    hit += rows.filter((row) => expected.has(row)).length;
    total += expected.size;
  });
  return total ? hit / total : 1;
}

function print(title: string, header: string[], body: string[][]): void {
  console.log(`\n${title}`);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  for (const row of [header, ...body]) console.log(row.map((c, i) => c.padStart(widths[i]!)).join('  '));
}

const pythonFaiss = spawnSync(PYTHON_BIN, ['-c', 'import faiss, numpy'], { stdio: 'ignore' }).status === 0;
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const f3 = (n: number) => n.toFixed(3);
const builds: string[][] = [];
const searches: string[][] = [];
const filters: string[][] = [];
const sweeps: string[][] = [];

for (const size of sizes) {
  const dir = join(root, String(size));
  mkdirSync(dir, { recursive: true });
  const all = syntheticVectors(size + queryCount, dim, SEED);
  await writeNpy(join(dir, 'vectors.npy'), all.subarray(0, size * dim), [size, dim]);
  await writeNpy(join(dir, 'queries.npy'), all.slice(size * dim), [queryCount, dim]);
  const plans = types.map((t) => planFor(t, size));
  writeFileSync(join(dir, 'plans.json'), JSON.stringify(plans));
  const python: Record<string, PythonOut> = {};
  if (pythonFaiss) {
    const run = spawnSync(PYTHON_BIN, [join(here, 'python', 'index_bench.py'), dir, join(dir, 'plans.json')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(`python3-faiss failed: ${run.stderr}`);
    Object.assign(python, JSON.parse(run.stdout));
  }
  let truth: SearchOut | null = null;
  for (const plan of plans) {
    const planPath = join(dir, `${plan.name}.json`);
    const indexPath = join(dir, `${plan.name}.faiss`);
    writeFileSync(planPath, JSON.stringify(plan));
    const built = child<BuildOut>(['build', dir, planPath, indexPath]);
    const found = child<SearchOut>(['search', dir, indexPath, plan.type]);
    rmSync(indexPath);
    truth ??= found; // flat comes first and is exact
    const py = python[plan.name];
    const pyBuild = py ? py.train_s + py.add_s : null;
    builds.push([String(size), plan.name, plan.factory, f1(built.build_s), pyBuild === null ? 'n/a' : f1(pyBuild), pyBuild ? f2(built.build_s / pyBuild) : 'n/a',
      f1(built.index_bytes / 2 ** 20), f1(built.rss_mb), py ? f1(py.peak_rss_mb) : 'n/a', f2(found.open_s), f1(found.open_rss_mb)]);
    searches.push([String(size), plan.name, f2(found.unfiltered.p50), f2(found.unfiltered.p95), py ? f2(py.p50_ms) : 'n/a', py ? f2(py.p95_ms) : 'n/a',
      f3(recall(found.unfiltered.rows, truth.unfiltered.rows)), py ? f3(recall(py.rows, truth.unfiltered.rows)) : 'n/a']);
    found.filtered.forEach((f, i) => {
      const filled = f.rows.filter((rows) => rows.length === Math.min(10, f.passing)).length / f.rows.length;
      filters.push([String(size), plan.name, `${f.share * 100} %`, String(f.passing), f.path, f2(f.p50), f2(f.p95), f3(recall(f.rows, truth!.filtered[i]!.rows)), f3(filled)]);
    });
    for (const s of found.sweep) {
      sweeps.push([String(size), plan.name, Object.entries(s.options).map(([k, v]) => `${k} ${v}`).join(' '), f2(s.p50), f2(s.p95), f3(recall(s.rows, truth.unfiltered.rows))]);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

console.log(`faiss-node (patched binding) beside Debian's python3-faiss${pythonFaiss ? '' : ' (not importable: apt-get install python3-faiss; n/a)'}: dim ${dim}, k 10, ${queryCount} single queries`);
print('Build', ['vectors', 'type', 'factory', 'build s', 'py s', 'node/py', 'index MB', 'build RSS MB', 'py peak RSS MB', 'open s', 'open RSS MB'], builds);
console.log('(build s: train + add from a Float32Array; open: readFaissIndex of the written file in a fresh process)');
print('Search, unfiltered', ['vectors', 'type', 'p50 ms', 'p95 ms', 'py p50', 'py p95', 'recall@10', 'py recall@10'], searches);
print('Search, filtered (as LocalIndex: the exact subset search up to 10k passing rows for Flat, 2k for IVF / HNSW, else the faiss selector)', ['vectors', 'type', 'share', 'passing', 'path', 'p50 ms', 'p95 ms', 'recall@10', 'k filled'], filters);
console.log('(recall@10 against exact Flat over the same passing rows; k filled: share of queries the selector alone filled,');
console.log(' LocalIndex widens efSearch / nprobe for the rest)');
print('Sweep, unfiltered', ['vectors', 'type', 'setting', 'p50 ms', 'p95 ms', 'recall@10'], sweeps);
