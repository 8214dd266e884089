/**
 * The local FAISS store against the Chroma server adapter on the same synthetic workspace: load (phase 4 build /
 * push), the server process's resident memory before and after the push (bench/scale.ts measures the app's), single-query
 * latency p50 / p95 per filter kind, and Chroma's recall@10 against the local answers (exact while the local index
 * is Flat, up to 50k crops). The server runs on this machine, so its latency is HTTP on loopback, no network.
 *   npx tsx bench/vector-store.ts [sizes=10000,50000] [dim=512] [queries=100]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIndex } from '../electron/core/index';
import { writeSyntheticEmbeddings } from '../electron/core/index/synthetic';
import type { SearchFilters } from '../electron/core/retriever';
import { startChromaServer } from '../electron/core/vector-store/chroma-server';
import { ChromaVectorStore, pushIndex } from '../electron/core/vector-store/chroma-store';
import { LocalVectorStore } from '../electron/core/vector-store/local-store';
import type { StoreHit, VectorStore } from '../electron/core/vector-store/port';

const sizes = (process.argv[2] ?? '10000,50000').split(',').map(Number);
const dim = Number(process.argv[3] ?? 512);
const queryCount = Number(process.argv[4] ?? 100);
const K = 10;

const FILTERS: [string, SearchFilters | undefined][] = [
  ['none', undefined],
  ['damaged (~35 %)', { has_damage: true }],
  ['zone 4 (~10 %)', { vehicle_zone: '4' }],
  ['zone 4 + dent (~1 %)', { vehicle_zone: '4', damage_type: 'dent' }],
];

async function processRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function timed(store: VectorStore, queries: Float32Array[], filters: SearchFilters | undefined) {
  for (const q of queries.slice(0, 5)) await store.searchMany([q], K, filters); // warm-up
  const times: number[] = [];
  const hits: StoreHit[][] = [];
  for (const q of queries) {
    const t = performance.now();
    hits.push((await store.searchMany([q], K, filters))[0]!);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
  return { p50: at(0.5), p95: at(0.95), hits };
}

function recall(found: StoreHit[][], truth: StoreHit[][]): string {
  let hit = 0;
  let total = 0;
  truth.forEach((list, i) => {
    const got = new Set(found[i]!.map((h) => h.crop_id));
    hit += list.filter((h) => got.has(h.crop_id)).length;
    total += list.length;
  });
  return (total ? hit / total : 1).toFixed(3);
}

async function main(): Promise<void> {
  const loadRows: string[] = [];
  const searchRows: string[] = [];
  for (const size of sizes) {
    const root = await mkdtemp(join(tmpdir(), 'carlens-bench-store-'));
    const server = await startChromaServer(join(root, 'chroma'));
    try {
      const workspace = join(root, 'workspace');
      await writeSyntheticEmbeddings(workspace, { count: size, dim, seed: 17 });
      let t = performance.now();
      const config = await buildIndex({ workspace });
      const buildS = (performance.now() - t) / 1000;
      t = performance.now();
      const local = await LocalVectorStore.open(workspace);
      const openS = (performance.now() - t) / 1000;
      const serverIdle = await processRssMb(server.pid);
      t = performance.now();
      await pushIndex(local.index, { url: server.url, collection: 'bench' });
      const pushS = (performance.now() - t) / 1000;
      const chroma = await ChromaVectorStore.connect({ url: server.url, collection: 'bench' });
      const step = Math.floor(size / queryCount);
      const queries = Array.from({ length: queryCount }, (_, i) => local.index.vector(i * step));
      for (const [name, filters] of FILTERS) {
        const l = await timed(local, queries, filters);
        const c = await timed(chroma, queries, filters);
        searchRows.push(`| ${size.toLocaleString('en')} | ${name} | ${l.p50} / ${l.p95} ms | ${c.p50} / ${c.p95} ms | ${recall(c.hits, l.hits)} |`);
      }
      const serverRss = await processRssMb(server.pid);
      loadRows.push(
        `| ${size.toLocaleString('en')} × ${dim} | ${config.index_type} | build ${buildS.toFixed(1)} s, open ${openS.toFixed(2)} s | push ${pushS.toFixed(1)} s, server ${serverIdle} → ${serverRss} MB |`,
      );
    } finally {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    }
  }
  console.log('| crops | local index | local (this process) | chroma (server process) |\n|---|---|---|---|');
  console.log(loadRows.join('\n'));
  console.log(`\n| crops | filter | local p50 / p95 | chroma p50 / p95 (HTTP, loopback) | chroma recall@${K} vs local |\n|---|---|---|---|---|`);
  console.log(searchRows.join('\n'));
}

await main();
