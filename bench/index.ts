/**
 * Phase 4 on this machine: build time, index size, single-query search latency (p50/p95, unfiltered and
 * filtered, through LocalIndex as the app calls it) and HNSW recall@10 against exact search, for Flat and
 * HNSW on synthetic unit vectors (clustered, queries held out from the same clusters). With python3 + faiss
 * (Debian's python3-faiss) importable, the same vectors are also timed there.
 *   npx tsx bench/index.ts [sizes=10000,100000] [dim=512] [queries=200]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIndex, LocalIndex, type Neighbour } from '../electron/core/index';
import { syntheticVectors, writeSyntheticEmbeddings } from '../electron/core/index/synthetic';
import { passingRows, type SearchFilters } from '../electron/core/retriever';
import { writeNpy } from '../electron/core/workspace/npy';

const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const dim = Number(process.argv[3] ?? 512);
const queryCount = Number(process.argv[4] ?? 200);
const K = 10;
const SEED = 17;

const FILTERS: [string, SearchFilters | undefined][] = [
  ['none', undefined],
  ['damaged (~35 %)', { has_damage: true }],
  ['zone 4 (~10 %)', { vehicle_zone: '4' }],
  ['zone 4 + dent (~1 %)', { vehicle_zone: '4', damage_type: 'dent' }],
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function latency(index: LocalIndex, queries: Float32Array[], allowed: Set<number> | null): { p50: number; p95: number; hits: Neighbour[][] } {
  for (const q of queries.slice(0, 5)) index.search(q, K, allowed); // warm-up
  const times: number[] = [];
  const hits: Neighbour[][] = [];
  for (const q of queries) {
    const t = performance.now();
    hits.push(index.search(q, K, allowed));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), hits };
}

function recall(found: Neighbour[][], truth: Neighbour[][]): number {
  let hit = 0;
  let total = 0;
  found.forEach((f, i) => {
    const expected = new Set(truth[i]!.map((n) => n.row));
    hit += f.filter((n) => expected.has(n.row)).length;
    total += expected.size;
  });
  return total ? hit / total : 1;
}

const pythonFaiss = spawnSync('python3', ['-c', 'import faiss, numpy'], { stdio: 'ignore' }).status === 0;

const PYTHON = `
import sys, time, json, numpy as np, faiss
x = np.load(sys.argv[1]); q = np.load(sys.argv[2]); k = 10; out = {}
for name, make in [('flat', lambda: faiss.IndexFlatIP(x.shape[1])), ('hnsw', lambda: faiss.IndexHNSWFlat(x.shape[1], 32, faiss.METRIC_INNER_PRODUCT))]:
    index = make()
    if name == 'hnsw': index.hnsw.efConstruction = 200; index.hnsw.efSearch = 64
    t = time.perf_counter(); index.add(x); build = time.perf_counter() - t
    times = []
    for row in q:
        t = time.perf_counter(); index.search(row[None, :], k); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    out[name] = {'build_s': build, 'p50_ms': times[len(times) // 2], 'p95_ms': times[int(0.95 * len(times))]}
print(json.dumps(out))
`;

async function main(): Promise<void> {
  const rows: string[][] = [];
  const python: string[][] = [];
  for (const size of sizes) {
    const workspace = await mkdtemp(join(tmpdir(), 'carlens-bench-index-'));
    try {
      await writeSyntheticEmbeddings(workspace, { count: size, dim, seed: SEED });
      // Held-out queries: the same generator and seed, rows past the indexed ones.
      const all = syntheticVectors(size + queryCount, dim, SEED);
      const queries = Array.from({ length: queryCount }, (_, i) => all.slice((size + i) * dim, (size + i + 1) * dim));

      const exact: Record<string, Neighbour[][]> = {};
      for (const type of ['flat', 'hnsw'] as const) {
        let t = performance.now();
        const config = await buildIndex({ workspace, flatThreshold: type === 'flat' ? Number.MAX_SAFE_INTEGER : 0 });
        const buildSeconds = (performance.now() - t) / 1000;
        t = performance.now();
        const index = await LocalIndex.open(workspace);
        const openSeconds = (performance.now() - t) / 1000;
        for (const [name, filters] of FILTERS) {
          const allowed = passingRows(index.records, filters);
          const result = latency(index, queries, allowed);
          if (type === 'flat') exact[name] = result.hits;
          rows.push([
            String(size),
            type,
            name,
            String(allowed?.size ?? index.size),
            result.p50.toFixed(2),
            result.p95.toFixed(2),
            type === 'hnsw' ? recall(result.hits, exact[name]!).toFixed(3) : 'exact',
            buildSeconds.toFixed(1),
            openSeconds.toFixed(1),
            (config.sizes.index_bytes / 1024 / 1024).toFixed(1),
          ]);
        }
      }
      if (pythonFaiss) {
        const x = join(workspace, 'embeddings', 'embeddings.npy');
        const q = join(workspace, 'queries.npy');
        const flatQueries = new Float32Array(queryCount * dim);
        queries.forEach((v, i) => flatQueries.set(v, i * dim));
        await writeNpy(q, flatQueries, [queryCount, dim]);
        const out = JSON.parse(execFileSync('python3', ['-c', PYTHON, x, q], { encoding: 'utf8' }));
        for (const type of ['flat', 'hnsw']) {
          python.push([String(size), type, out[type].p50_ms.toFixed(2), out[type].p95_ms.toFixed(2), out[type].build_s.toFixed(1)]);
        }
      }
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  }
  const print = (header: string[], body: string[][]): void => {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    for (const row of [header, ...body]) console.log(row.map((c, i) => c.padStart(widths[i]!)).join('  '));
  };
  console.log(`faiss-node via LocalIndex, dim ${dim}, k ${K}, ${queryCount} single queries`);
  print(['vectors', 'type', 'filter', 'passing', 'p50 ms', 'p95 ms', 'recall@10', 'build s', 'open s', 'index MB'], rows);
  console.log('(build s: buildIndex from embeddings.npy, incl. checks and writing the generation; open s: LocalIndex.open)');
  if (pythonFaiss) {
    console.log('\npython3 faiss on the same vectors (unfiltered, add only)');
    print(['vectors', 'type', 'p50 ms', 'p95 ms', 'build s'], python);
  } else {
    console.log('\npython3 faiss not importable (apt-get install python3-faiss python3-numpy to compare); skipped');
  }
}

await main();
