import { loadQueryEmbedder } from '../embedder/query';
import { Retriever } from '../retriever';
import { loadLexicon } from '../text/lexicon';
import { readBenchmarkPhrases } from '../text/phrases';
import { escapeXml as esc } from './plots';
import { scoreTextQueries, TOP, type TextQueryFigures } from './text-queries';

export type TextQuerySection = TextQueryFigures | { unavailable: string };

/** The inspector phrases scored over the workspace's index, for the report; never fails the validation. */
export async function textQuerySection(workspace: string): Promise<TextQuerySection> {
  try {
    const { embedder } = await loadQueryEmbedder(workspace);
    try {
      const retriever = await Retriever.open(workspace, { model: embedder.manifest.id, dim: embedder.dim });
      const lexicon = embedder.textVocabulary?.lexicon ?? (await loadLexicon());
      return await scoreTextQueries({ retriever, embedder, lexicon, phrases: await readBenchmarkPhrases() });
    } finally {
      await embedder.dispose();
    }
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

const share = (x: number) => x.toFixed(2);

/** The report's text search section: per phrase group, the app's search beside its baselines; then each phrase. */
export function textQueriesHtml(section: TextQuerySection | undefined): string {
  const title = '<h2 id="text-queries">Text search over inspector phrases</h2>';
  if (!section) return '';
  if ('unavailable' in section) return `${title}<p class="meta">Not measured: ${esc(section.unavailable)}.</p>`;
  const groups = section.groups
    .map((g) => `<tr><td>${esc(g.group)}</td><td>${g.phrases}</td><td><b>${share(g.lifted)}</b></td><td>${share(g.tower)}</td><td>${share(g.hashed)}</td><td>${share(g.random)}</td></tr>`)
    .join('\n');
  const phrases = section.phrases
    .map((p) => `<tr><td>${esc(p.text)}</td><td>${esc(p.group)}</td><td>${p.relevantCrops}</td><td>${share(p.lifted)}</td><td>${share(p.tower)}</td><td>${share(p.hashed)}</td><td>${share(p.random)}</td></tr>`)
    .join('\n');
  const unscored = section.unscored.length
    ? `<p class="meta">Not scored here (fewer than ${TOP} crops carry their labels): ${section.unscored.map((u) => `${esc(u.text)} (${u.relevantCrops})`).join(', ')}. <code>bench/text-queries.ts</code> scores every phrase over a corpus with every label.</p>`
    : '';
  return `${title}
<p class="meta">Share of the top ${TOP} results that carry the labels a phrase asks for (zone, damage type, damaged or clean; <code>native-models/lexicon/phrases.json</code>), over the ${section.crops} indexed crops, for ${section.phrases.length} phrases. <b>App search</b>: the text tower with the filters the query proposes lifting matching crops, as the Search screen and <code>cli search --text</code> rank; beside it the text tower alone, the v1 hashed tower (256 buckets) and a random ranking.</p>
<table id="text-queries-table"><thead><tr><th>phrases</th><th>n</th><th>app search</th><th>text tower alone</th><th>v1 hashed tower</th><th>random</th></tr></thead><tbody>${groups}</tbody></table>
<details><summary>Each phrase</summary><table><thead><tr><th>phrase</th><th>group</th><th>relevant crops</th><th>app</th><th>tower</th><th>hashed</th><th>random</th></tr></thead><tbody>${phrases}</tbody></table></details>
${unscored}`;
}
