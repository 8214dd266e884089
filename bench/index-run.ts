/**
 * One measurement of bench/index.ts in a process of its own, so that each index's memory is its own and is given
 * back before the next one is built. Prints one JSON line.
 *   build <dir> <plan.json> <out.faiss>: createFaissIndex over <dir>/vectors.npy, written with writeFaissIndex
 *   search <dir> <index.faiss> <type>: readFaissIndex, then single queries from <dir>/queries.npy: unfiltered,
 *     filtered (shares of rows, as LocalIndex answers them) and an efSearch / nprobe sweep
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createFaissIndex, faissSearch, faissSubsetSearch, readFaissIndex, writeFaissIndex, type FaissPlan, type FaissSearchOptions, type IndexType, type Neighbour } from '../electron/core/index/faiss';
import { defaultExactSubsetMax } from '../electron/core/index/local-index';
import { RowSet } from '../electron/core/index/row-set';

const K = 10;
/** Filters as shares of rows, spread evenly and unrelated to the vectors' clusters. */
const SHARES = [0.5, 0.1, 0.01];

function shareRows(total: number, share: number): RowSet {
  // Knuth's multiplicative hash: a fixed pseudo-random spread, the same in every process.
  return RowSet.where(total, (row) => Math.imul(row + 1, 2654435761) >>> 0 < share * 2 ** 32);
}

/** A float32 .npy read in 1 GiB pieces (readFile stops at 2 GiB; 1M × 704 is 2.8 GB). */
function readLargeNpy(path: string): { data: Float32Array; rows: number; dim: number } {
  const fd = openSync(path, 'r');
  try {
    const preamble = Buffer.alloc(10);
    readSync(fd, preamble, 0, 10, 0);
    const headerLength = preamble.readUInt16LE(8);
    const header = Buffer.alloc(headerLength);
    readSync(fd, header, 0, headerLength, 10);
    const shape = /'shape'\s*:\s*\((\d+),\s*(\d+)\)/.exec(header.toString('latin1'));
    if (!shape) throw new Error(`${path}: not a 2-D .npy`);
    const [rows, dim] = [Number(shape[1]), Number(shape[2])];
    const data = new Float32Array(rows * dim);
    const bytes = new Uint8Array(data.buffer);
    const start = 10 + headerLength;
    if (statSync(path).size !== start + bytes.length) throw new Error(`${path}: size does not match shape [${rows}, ${dim}]`);
    for (let at = 0; at < bytes.length; ) at += readSync(fd, bytes, at, Math.min(1 << 30, bytes.length - at), start + at);
    return { data, rows, dim };
  } finally {
    closeSync(fd);
  }
}

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

function timed(queries: Float32Array, dim: number, search: (q: Float32Array) => Neighbour[]): { p50: number; p95: number; rows: number[][] } {
  const count = queries.length / dim;
  const query = (i: number) => queries.subarray(i * dim, (i + 1) * dim);
  for (let i = 0; i < Math.min(5, count); i++) search(query(i));
  const times: number[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const hits = search(query(i));
    times.push(performance.now() - t);
    rows.push(hits.map((h) => h.row));
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(0.5 * count)]!, p95: times[Math.min(count - 1, Math.floor(0.95 * count))]!, rows };
}

async function build(dir: string, planPath: string, out: string): Promise<void> {
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as FaissPlan;
  const { data, dim } = readLargeNpy(join(dir, 'vectors.npy'));
  const t = performance.now();
  const index = createFaissIndex(plan, data, dim);
  const buildSeconds = (performance.now() - t) / 1000;
  const rss = rssMb();
  await writeFaissIndex(index, out);
  console.log(JSON.stringify({ build_s: buildSeconds, rss_mb: rss, index_bytes: statSync(out).size }));
}

function sweep(type: string, index: ReturnType<typeof readFaissIndex>): FaissSearchOptions[] {
  const parameters = index.parameters();
  if (parameters.kind === 'hnsw') return [16, 32, 64, 128, 256].map((efSearch) => ({ efSearch }));
  if (parameters.kind === 'ivf') {
    return [0.5, 1, 2, 4, 8].map((f) => ({ nprobe: Math.max(1, Math.min(parameters.nlist, Math.round(parameters.nprobe * f))) }));
  }
  if (type !== 'flat') throw new Error(`unexpected index kind ${parameters.kind}`);
  return [];
}

function search(dir: string, path: string, type: IndexType): void {
  const t = performance.now();
  const index = readFaissIndex(path);
  const openSeconds = (performance.now() - t) / 1000;
  const openRss = rssMb();
  const { data: queries, dim } = readLargeNpy(join(dir, 'queries.npy'));
  const total = index.ntotal();
  const unfiltered = timed(queries, dim, (q) => faissSearch(index, q, K));
  const filtered = SHARES.map((share) => {
    const allowed = shareRows(total, share);
    // LocalIndex's choice: the exact subset search up to its default exactSubsetMax rows, else faiss's selector.
    const subset = allowed.size <= defaultExactSubsetMax(type);
    const rows = subset ? allowed.rows() : null;
    const result = timed(queries, dim, (q) => (rows ? faissSubsetSearch(index, q, K, rows)[0]! : faissSearch(index, q, K, { allowed })));
    return { share, passing: allowed.size, path: subset ? 'subset' : 'selector', ...result };
  });
  const settings = sweep(type, index).map((options) => ({ options, ...timed(queries, dim, (q) => faissSearch(index, q, K, options)) }));
  console.log(JSON.stringify({ open_s: openSeconds, open_rss_mb: openRss, parameters: index.parameters(), unfiltered, filtered, sweep: settings }));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'build') await build(args[0]!, args[1]!, args[2]!);
else if (mode === 'search') search(args[0]!, args[1]!, args[2] as IndexType);
else throw new Error(`usage: index-run.ts build|search …, got ${mode}`);
