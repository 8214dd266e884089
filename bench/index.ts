/**
 * Phase 4 on this machine: build time, index size, single-query search latency (p50/p95, unfiltered and
 * filtered, through LocalIndex as the app calls it) and HNSW recall@10 against exact search, for Flat and
 * HNSW on synthetic unit vectors (clustered, queries held out from the same clusters). The same vectors go
 * through Debian's python3-faiss (/usr/bin/python3) in the same run, and through faiss-node without the app's
 * layer, so the binding's and the app's overheads are visible.
 *   npx tsx bench/index.ts [sizes=10000,100000] [dim=512] [queries=200] [types=flat,hnsw]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIndex, LocalIndex, type BuildStage, type IndexType, type Neighbour } from '../electron/core/index';
import { createFaissIndex, faissFromBuffer, faissSearch } from '../electron/core/index/faiss';
import { syntheticVectors, writeSyntheticEmbeddings } from '../electron/core/index/synthetic';
import { passingRows, type SearchFilters } from '../electron/core/retriever';
import { writeNpy } from '../electron/core/workspace/npy';
import { liveGenerationDir } from '../electron/core/workspace/generations';
import { workspacePaths } from '../electron/core/workspace/workspace';

const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const dim = Number(process.argv[3] ?? 512);
const queryCount = Number(process.argv[4] ?? 200);
const types = (process.argv[5] ?? 'flat,hnsw').split(',') as IndexType[];
const K = 10;
const SEED = 17;
/**
 * The app keeps crop metadata as one JSON document, and V8 caps a string at ~512 MiB (~1 KB a record): above this
 * size only faiss-node itself and Python are measured, on the same vectors.
 */
const APP_LAYER_MAX = 400_000;
// Debian's python3-faiss is built for Debian's interpreter, not for whatever python3 comes first on PATH.
const PYTHON_BIN = '/usr/bin/python3';

const FILTERS: [string, SearchFilters | undefined][] = [
  ['none', undefined],
  ['damaged (~35 %)', { has_damage: true }],
  ['zone 4 (~10 %)', { vehicle_zone: '4' }],
  ['zone 4 + dent (~1 %)', { vehicle_zone: '4', damage_type: 'dent' }],
];

interface Timing {
  p50: number;
  p95: number;
  hits: Neighbour[][];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function timeQueries(queries: Float32Array[], search: (q: Float32Array) => Neighbour[]): Timing {
  for (const q of queries.slice(0, 5)) search(q); // warm-up
  const times: number[] = [];
  const hits: Neighbour[][] = [];
  for (const q of queries) {
    const t = performance.now();
    hits.push(search(q));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), hits };
}

function recall(found: readonly (readonly number[])[], truth: readonly (readonly number[])[]): number {
  let hit = 0;
  let total = 0;
  found.forEach((f, i) => {
    const expected = new Set(truth[i]!);
    hit += f.filter((row) => expected.has(row)).length;
    total += expected.size;
  });
  return total ? hit / total : 1;
}

const rowsOf = (hits: Neighbour[][]): number[][] => hits.map((h) => h.map((n) => n.row));

const pythonFaiss = spawnSync(PYTHON_BIN, ['-c', 'import faiss, numpy'], { stdio: 'ignore' }).status === 0;

// Same index types and parameters as the app (HNSW32, efConstruction 200, efSearch 64), single queries timed.
const PYTHON = `
import sys, time, json, numpy as np, faiss
x = np.load(sys.argv[1]); q = np.load(sys.argv[2]); k = 10; out = {}
for name in sys.argv[3].split(','):
    index = faiss.IndexFlatIP(x.shape[1]) if name == 'flat' else faiss.IndexHNSWFlat(x.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    if name == 'hnsw': index.hnsw.efConstruction = 200; index.hnsw.efSearch = 64
    t = time.perf_counter(); index.add(x); build = time.perf_counter() - t
    times, rows = [], []
    for row in q[:5]: index.search(row[None, :], k)
    for row in q:
        t = time.perf_counter(); _, labels = index.search(row[None, :], k); times.append((time.perf_counter() - t) * 1000)
        rows.append(labels[0].tolist())
    times.sort()
    out[name] = {'add_s': build, 'p50_ms': times[len(times) // 2], 'p95_ms': times[int(0.95 * len(times))], 'rows': rows}
    del index
print(json.dumps(out))
`;

interface Comparison {
  size: number;
  type: IndexType;
  nodeAdd: number;
  nodeRaw: Timing;
  /** null above APP_LAYER_MAX. */
  app: Timing | null;
  python?: { add_s: number; p50_ms: number; p95_ms: number; rows: number[][] };
  /** The exact (Flat) answers, when Flat ran. */
  truth?: number[][];
}

async function main(): Promise<void> {
  const appRows: string[][] = [];
  const comparisons: Comparison[] = [];
  for (const size of sizes) {
    const workspace = await mkdtemp(join(tmpdir(), 'carlens-bench-index-'));
    try {
      const appLayer = size <= APP_LAYER_MAX;
      if (appLayer) await writeSyntheticEmbeddings(workspace, { count: size, dim, seed: SEED });
      // Held-out queries: the same generator and seed, rows past the indexed ones.
      const all = syntheticVectors(size + queryCount, dim, SEED);
      const queries = Array.from({ length: queryCount }, (_, i) => all.slice((size + i) * dim, (size + i + 1) * dim));
      // Phase 3's live set when writeSyntheticEmbeddings wrote one; else this file alone, in the flat layout.
      const embeddingsPath = join(liveGenerationDir(workspacePaths(workspace).embeddingsDir), 'embeddings.npy');
      if (!appLayer) await writeNpy(embeddingsPath, all.subarray(0, size * dim), [size, dim]);

      const exact: Record<string, number[][]> = {};
      for (const type of types) {
        if (!appLayer) {
          const t = performance.now();
          const raw = createFaissIndex(type, all.subarray(0, size * dim), dim);
          const nodeAdd = (performance.now() - t) / 1000;
          const nodeRaw = timeQueries(queries, (q) => faissSearch(raw, q, K));
          if (type === 'flat') exact.none = rowsOf(nodeRaw.hits);
          comparisons.push({ size, type, nodeAdd, nodeRaw, app: null });
          continue;
        }
        const stageStart = new Map<BuildStage, number>();
        let t = performance.now();
        const config = await buildIndex({
          workspace,
          flatThreshold: type === 'flat' ? Number.MAX_SAFE_INTEGER : 0,
          onProgress: (stage) => stageStart.set(stage, performance.now()),
        });
        const buildSeconds = (performance.now() - t) / 1000;
        const addSeconds = (stageStart.get('checking')! - stageStart.get('adding')!) / 1000;
        t = performance.now();
        const index = await LocalIndex.open(workspace);
        const openSeconds = (performance.now() - t) / 1000;
        let app: Timing | undefined;
        for (const [name, filters] of FILTERS) {
          const allowed = passingRows(index.records, filters);
          const result = timeQueries(queries, (q) => index.search(q, K, allowed));
          if (name === 'none') app = result;
          if (type === 'flat') exact[name] = rowsOf(result.hits);
          appRows.push([
            String(size),
            type,
            name,
            String(allowed?.size ?? index.size),
            result.p50.toFixed(2),
            result.p95.toFixed(2),
            exact[name] ? recall(rowsOf(result.hits), exact[name]!).toFixed(3) : 'n/a',
            buildSeconds.toFixed(1),
            openSeconds.toFixed(1),
            (config.sizes.index_bytes / 1024 / 1024).toFixed(1),
          ]);
        }
        // The binding alone: the generation's index file searched with faissSearch, no filters, no rescoring.
        const generationDir = join(workspacePaths(workspace).indexDir, `gen-${config.generation}`);
        const raw = faissFromBuffer(await readFile(join(generationDir, 'index.faiss')));
        comparisons.push({ size, type, nodeAdd: addSeconds, nodeRaw: timeQueries(queries, (q) => faissSearch(raw, q, K)), app: app! });
      }
      if (pythonFaiss) {
        const x = embeddingsPath;
        const q = join(workspace, 'queries.npy');
        const flatQueries = new Float32Array(queryCount * dim);
        queries.forEach((v, i) => flatQueries.set(v, i * dim));
        await writeNpy(q, flatQueries, [queryCount, dim]);
        const out = JSON.parse(execFileSync(PYTHON_BIN, ['-c', PYTHON, x, q, types.join(',')], { encoding: 'utf8', maxBuffer: 1 << 28 }));
        for (const c of comparisons.filter((c) => c.size === size)) c.python = out[c.type];
      }
      for (const c of comparisons.filter((c) => c.size === size)) c.truth = exact.none;
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  }
  const print = (header: string[], body: string[][]): void => {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    for (const row of [header, ...body]) console.log(row.map((c, i) => c.padStart(widths[i]!)).join('  '));
  };
  if (appRows.length) {
    console.log(`faiss-node via LocalIndex (as the app searches), dim ${dim}, k ${K}, ${queryCount} single queries`);
    print(['vectors', 'type', 'filter', 'passing', 'p50 ms', 'p95 ms', 'recall@10', 'build s', 'open s', 'index MB'], appRows);
    console.log('(build s: buildIndex from embeddings.npy, incl. checks and writing the generation; open s: LocalIndex.open;');
    console.log(' recall@10 against the exact Flat answer to the same filtered query)');
  }
  console.log(`\nThe same vectors unfiltered: faiss-node alone, the app (LocalIndex), and Debian's python3-faiss${pythonFaiss ? '' : ' (not importable: apt-get install python3-faiss; skipped)'}`);
  const body = comparisons.map((c) => {
    const r = (rows: number[][] | undefined): string => (c.truth && rows ? recall(rows, c.truth).toFixed(3) : 'n/a');
    return [
      String(c.size),
      c.type,
      c.nodeAdd.toFixed(1),
      c.python ? c.python.add_s.toFixed(1) : 'n/a',
      c.nodeRaw.p50.toFixed(2),
      c.app ? c.app.p50.toFixed(2) : 'n/a',
      c.python ? c.python.p50_ms.toFixed(2) : 'n/a',
      c.nodeRaw.p95.toFixed(2),
      c.app ? c.app.p95.toFixed(2) : 'n/a',
      c.python ? c.python.p95_ms.toFixed(2) : 'n/a',
      r(rowsOf(c.nodeRaw.hits)),
      r(c.python?.rows),
    ];
  });
  print(['vectors', 'type', 'add s node', 'add s py', 'p50 node', 'p50 app', 'p50 py', 'p95 node', 'p95 app', 'p95 py', 'recall node', 'recall py'], body);
  console.log('(ms per single query; add s: vectors added to an empty index; recall@10 against exact Flat, n/a when Flat was not run)');
}

await main();
