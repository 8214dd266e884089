/**
 * Text search over the inspector phrases of native-models/lexicon/phrases.json (zones × parts × types × negations
 * × synonyms, each with the labels a relevant crop carries): the mean share of relevant results in the top 5 per
 * phrase group, for the app's search (text tower + the query's proposed filters lifting matching crops) beside
 * the text tower alone, the v1 hashed tower and a random ranking; then text query latency at --scale crops.
 *   npx tsx bench/text-queries.ts [--workspace DIR] [--scale 100000] [--queries 200] [--per-phrase]
 * Corpora: the domain corpus (phase 2's contexts for every zone × part × label, electron/core/text/domain-corpus.ts)
 * and, with --workspace, that workspace's index (phrases with fewer than 5 relevant crops there are listed, not
 * scored). Latency: query reading + embedding + search, sequential, one process, index already open; the crops are
 * the domain corpus repeated, with a Flat index (the text path scores its sparse query over the stored vectors and
 * never calls faiss).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CropRecord } from '../electron/core/crops/crop-record';
import { loadQueryEmbedder } from '../electron/core/embedder/query';
import { readSearchQuery, Retriever } from '../electron/core/retriever';
import { writeTextWorkspace } from '../electron/core/retriever/text-workspace';
import { loadClipTokenizer } from '../electron/core/text/clip-tokenizer';
import { domainCorpus } from '../electron/core/text/domain-corpus';
import { readBenchmarkPhrases, type BenchmarkPhrase } from '../electron/core/text/phrases';
import { scoreTextQueries, type TextQueryFigures } from '../electron/core/validation/text-queries';

const { values } = parseArgs({
  options: {
    workspace: { type: 'string' },
    scale: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
    'per-phrase': { type: 'boolean', default: false },
  },
});
const scale = Number(values.scale);
const queryCount = Number(values.queries);
const phrases = await readBenchmarkPhrases();
const tokenizer = await loadClipTokenizer();
const corpus = domainCorpus(tokenizer);
const pct = (x: number) => x.toFixed(2);

async function open(workspace: string) {
  const { embedder } = await loadQueryEmbedder(workspace);
  const retriever = await Retriever.open(workspace, { model: embedder.manifest.id, dim: embedder.dim });
  return { embedder, retriever, lexicon: embedder.textVocabulary!.lexicon };
}

function printFigures(title: string, figures: TextQueryFigures): void {
  console.log(`\n## ${title}: ${figures.crops} crops, ${figures.phrases.length} phrases scored\n`);
  console.log('| phrases | n | app search (tower + lift) | text tower alone | v1 hashed tower | random |');
  console.log('|---|---|---|---|---|---|');
  for (const g of figures.groups) console.log(`| ${g.group} | ${g.phrases} | **${pct(g.lifted)}** | ${pct(g.tower)} | ${pct(g.hashed)} | ${pct(g.random)} |`);
  if (values['per-phrase']) {
    console.log('\n| phrase | group | relevant crops | app | tower | hashed | random |\n|---|---|---|---|---|---|---|');
    for (const p of figures.phrases) console.log(`| ${p.text} | ${p.group} | ${p.relevantCrops} | ${pct(p.lifted)} | ${pct(p.tower)} | ${pct(p.hashed)} | ${pct(p.random)} |`);
  }
  if (figures.unscored.length) console.log(`\nnot scored (fewer than 5 relevant crops): ${figures.unscored.map((u) => `"${u.text}" (${u.relevantCrops})`).join(', ')}`);
}

async function scoreCorpus(records: CropRecord[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'carlens-text-bench-'));
  try {
    await writeTextWorkspace(dir, records);
    const opened = await open(dir);
    try {
      printFigures('domain corpus', await scoreTextQueries({ ...opened, phrases }));
    } finally {
      await opened.embedder.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function scoreWorkspace(workspace: string): Promise<void> {
  let opened: Awaited<ReturnType<typeof open>>;
  try {
    opened = await open(workspace);
  } catch (error) {
    console.log(`\n## workspace ${workspace}: not scored (${(error as Error).message})`);
    return;
  }
  try {
    printFigures(`workspace ${workspace}`, await scoreTextQueries({ ...opened, phrases }));
  } finally {
    await opened.embedder.dispose();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function latency(queries: BenchmarkPhrase[]): Promise<void> {
  const records = Array.from({ length: scale }, (_, i): CropRecord => {
    const base = corpus[i % corpus.length]!;
    return { ...base, crop_id: `scaled-${i}`, source_image: `scaled-photo-${Math.floor(i / 4)}`, crop_path: `crops/images/scaled-${i}.jpg` };
  });
  const dir = await mkdtemp(join(tmpdir(), 'carlens-text-latency-'));
  try {
    let started = performance.now();
    await writeTextWorkspace(dir, records, { flatThreshold: scale + 1 });
    console.log(`\n## text query latency at ${scale} crops (workspace written in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    const { embedder, retriever, lexicon } = await open(dir);
    try {
      const stages = { read: [] as number[], embed: [] as number[], search: [] as number[], total: [] as number[] };
      for (let i = 0; i < queryCount + 5; i++) {
        const text = queries[i % queries.length]!.text;
        started = performance.now();
        const reading = readSearchQuery(text, lexicon);
        const read = performance.now();
        const vector = await embedder.embedQuery({ text });
        const embedded = performance.now();
        retriever.search(vector, { k: 10, soft: reading.soft });
        const done = performance.now();
        if (i < 5) continue; // warm-up
        stages.read.push(read - started);
        stages.embed.push(embedded - read);
        stages.search.push(done - embedded);
        stages.total.push(done - started);
      }
      console.log('| stage | p50 ms | p95 ms |\n|---|---|---|');
      for (const [stage, times] of Object.entries(stages)) {
        times.sort((a, b) => a - b);
        console.log(`| ${stage} | ${percentile(times, 0.5).toFixed(2)} | ${stage === 'total' ? '**' : ''}${percentile(times, 0.95).toFixed(2)}${stage === 'total' ? '**' : ''} |`);
      }
    } finally {
      await embedder.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`${phrases.length} phrases in ${new Set(phrases.map((p) => p.group)).size} groups; share of relevant results in the top 5 (target ≥ 0.85)`);
await scoreCorpus(corpus);
if (values.workspace) await scoreWorkspace(values.workspace);
if (scale > 0) await latency(phrases);
