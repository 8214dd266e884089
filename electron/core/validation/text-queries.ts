import { lexicalVector } from '../embedder/lexical';
import type { Embedder } from '../embedder/embedder';
import { exactTopK } from '../index/vectors';
import { readSearchQuery, type Retriever } from '../retriever';
import { loadClipTokenizer } from '../text/clip-tokenizer';
import type { Lexicon } from '../text/lexicon';
import { isRelevant, randomRelevantAt, relevantAt, type BenchmarkPhrase } from '../text/phrases';

/** Top-k depth of the figures (issue #12's target: share of relevant results in the top 5). */
export const TOP = 5;
/** The v1 text tower, kept as a baseline: CLIP BPE unigrams and bigrams hashed into this many buckets. */
const HASHED_DIM = 256;

export interface PhraseFigures {
  text: string;
  group: string;
  /** Crops carrying the phrase's labels; below TOP the phrase is not scored. */
  relevantCrops: number;
  /** Share relevant in the top 5: the app's search (text tower + proposed filters lifting matching crops). */
  lifted: number;
  /** The text tower alone (no proposed filters). */
  tower: number;
  /** The v1 hashed tower (256 buckets). */
  hashed: number;
  /** A random ranking (expected value). */
  random: number;
}

export interface TextQueryFigures {
  crops: number;
  phrases: PhraseFigures[];
  /** Means over the scored phrases of each group, then over all of them (group 'all'). */
  groups: { group: string; phrases: number; lifted: number; tower: number; hashed: number; random: number }[];
  /** Phrases with fewer than TOP relevant crops in this index. */
  unscored: { text: string; relevantCrops: number }[];
}

export interface TextQueryScoring {
  retriever: Retriever;
  embedder: Embedder;
  lexicon: Lexicon;
  phrases: readonly BenchmarkPhrase[];
}

/** Scores every phrase over the index: each ranking beside its baselines, per phrase and per group. */
export async function scoreTextQueries({ retriever, embedder, lexicon, phrases }: TextQueryScoring): Promise<TextQueryFigures> {
  const records = retriever.index.records;
  const tokenizer = await loadClipTokenizer({ vocab: embedder.manifest.files.vocab, merges: embedder.manifest.files.merges });
  const hashedOf = (text: string) => lexicalVector(tokenizer.encode(text).slice(1, -1), HASHED_DIM, `text "${text}"`);
  const hashed = new Float32Array(records.length * HASHED_DIM);
  records.forEach((r, row) => r.text_description && hashed.set(hashedOf(r.text_description), row * HASHED_DIM));
  const labels = (rows: number[]) => rows.map((row) => records[row]!);

  const figures: PhraseFigures[] = [];
  const unscored: TextQueryFigures['unscored'] = [];
  for (const phrase of phrases) {
    const relevantCrops = records.filter((r) => isRelevant(r, phrase.expected)).length;
    if (relevantCrops < TOP) {
      unscored.push({ text: phrase.text, relevantCrops });
      continue;
    }
    const vector = await embedder.embedQuery({ text: phrase.text });
    const reading = readSearchQuery(phrase.text, lexicon);
    const rowsOf = (results: { crop_id: string }[]) => results.map((r) => retriever.index.rowOf(r.crop_id)!);
    const lifted = rowsOf(retriever.search(vector, { k: TOP, soft: reading.soft }));
    const tower = rowsOf(retriever.search(vector, { k: TOP }));
    const hashedTop = exactTopK(hashed, HASHED_DIM, hashedOf(phrase.text), TOP, null).map((n) => n.row);
    figures.push({
      text: phrase.text,
      group: phrase.group,
      relevantCrops,
      lifted: relevantAt(labels(lifted), phrase.expected, TOP),
      tower: relevantAt(labels(tower), phrase.expected, TOP),
      hashed: relevantAt(labels(hashedTop), phrase.expected, TOP),
      random: randomRelevantAt(records, phrase.expected),
    });
  }
  return { crops: records.length, phrases: figures, groups: groupMeans(figures), unscored };
}

function groupMeans(figures: PhraseFigures[]): TextQueryFigures['groups'] {
  const groups = [...new Set(figures.map((f) => f.group)), 'all'];
  return groups.map((group) => {
    const members = group === 'all' ? figures : figures.filter((f) => f.group === group);
    const mean = (key: 'lifted' | 'tower' | 'hashed' | 'random') => members.reduce((sum, f) => sum + f[key], 0) / Math.max(1, members.length);
    return { group, phrases: members.length, lifted: mean('lifted'), tower: mean('tower'), hashed: mean('hashed'), random: mean('random') };
  });
}
