import { join } from 'node:path';
import { heldOutAlignment, type HeldOutAlignment } from '../alignment/evaluate';
import type { LabelFigure } from '../alignment/ranking';
import type { Towers } from '../alignment/towers';
import { loadLexicon } from '../text/lexicon';
import { readBenchmarkPhrases } from '../text/phrases';
import { readTextVocabulary, TEXT_VOCABULARY_FILE } from '../text/vocabulary';
import { escapeXml as esc } from './plots';

export type AlignmentSection =
  | (HeldOutAlignment & { model: string; lambda: number; offsetMode: string; pixelWeight: number; fittedOn: number })
  | { unavailable: string };

/**
 * The text → image map scored on the held-out claims (text queries ranking crops by pixels alone), for the report;
 * never fails the validation. A CLIP-family model has no map: its towers are aligned natively.
 */
export async function alignmentSection(towers: Towers | null): Promise<AlignmentSection> {
  try {
    if (!towers) return { unavailable: 'phase 3 kept no tower vectors (an older output): re-run phase 3' };
    if (towers.aligned) return { unavailable: `${towers.model} is aligned natively (CLIP family): its text tower ranks images without a fitted map` };
    if (!towers.alignment) return { unavailable: 'phase 3 fitted no text → image map (an older output, or too few training crops with a context): re-run phase 3' };
    const { map, info } = towers.alignment;
    const vocabulary = await readTextVocabulary(join(towers.source, TEXT_VOCABULARY_FILE), await loadLexicon(), towers.textDim);
    const phrases = (await readBenchmarkPhrases()).map((p) => ({ ...p, vector: vocabulary.vector(p.text) }));
    const rows = towers.records.length;
    const figures = heldOutAlignment({
      records: towers.records,
      image: { data: towers.image, rows, cols: towers.imageDim },
      text: { data: towers.text, rows, cols: towers.textDim },
      map,
      phrases,
      blend: { alpha: towers.fusion.alpha, beta: towers.fusion.beta, pixelWeight: info.pixel_weight },
    });
    return { ...figures, model: towers.model, lambda: map.lambda, offsetMode: map.offsetMode, pixelWeight: info.pixel_weight, fittedOn: info.fitted_on };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

const num = (x: number | null) => (x === null ? '–' : x.toFixed(2));

function labelRow(source: string, label: string, f: LabelFigure, extra = ''): string {
  return `<tr><td>${esc(source)}</td><td>${label}</td><td>${f.queries}</td><td><b>${num(f.precision)}</b></td><td>${num(f.prior)}${extra}</td><td>${num(f.majority)}</td></tr>`;
}

/** The report's alignment section: held-out text → pixels P@5 per source beside its baselines, phrases, the blend. */
export function alignmentHtml(section: AlignmentSection | undefined): string {
  if (!section) return '';
  const title = '<h2 id="alignment">Text ↔ image alignment (text queries ranking crops by pixels)</h2>';
  if ('unavailable' in section) return `${title}<p class="meta">Not measured: ${esc(section.unavailable)}.</p>`;
  const rows = section.ownContexts
    .flatMap((f) => [
      labelRow(f.source, 'has_damage', f.has_damage),
      labelRow(f.source, 'damage type', f.damage_type, ` (damaged at random ${num(f.damage_type.damaged_prior)})`),
      labelRow(f.source, 'zone', f.zone),
    ])
    .join('\n');
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const phrases = section.phrases.map((p) => `<tr><td>${esc(p.text)}</td><td>${p.relevant}</td><td>${num(p.pixels)}</td><td>${num(p.random)}</td></tr>`).join('\n');
  const b = section.blend;
  return `${title}
<p class="meta">${esc(section.model)}'s towers are not aligned, so phase 3 fits a linear map from the text tower to the image tower (ridge regression, λ ${section.lambda} and a ${esc(section.offsetMode)} offset chosen on validation claims) on ${section.fittedOn} crops of the training claims. Here each crop of the ${section.crops.heldout} held-out crops is queried by its own context, mapped, and ranks the other held-out photos' crops by their <b>image vectors only</b> (contexts removed from the items). Beside each P@5: the class prior (what a random ranking scores), and a ranking that always returns the training majority label.</p>
<table id="alignment-table"><thead><tr><th>query source</th><th>label</th><th>queries</th><th>P@5 (pixels)</th><th>class prior</th><th>majority label</th></tr></thead><tbody>${rows}</tbody></table>
<p class="meta">Inspector phrases over the held-out crops, ranked by pixels only: mean P@5 <b>${num(mean(section.phrases.map((p) => p.pixels)))}</b> against ${num(mean(section.phrases.map((p) => p.random)))} at random over ${section.phrases.length} phrases (${section.unscored.length} with fewer than 5 relevant held-out crops not scored).</p>
<details><summary>Each phrase</summary><table><thead><tr><th>phrase</th><th>relevant crops</th><th>P@5 (pixels)</th><th>random</th></tr></thead><tbody>${phrases}</tbody></table></details>
<p class="meta">Search blends the two scores for a typed query: ${Math.round(section.pixelWeight * 100)} % pixels, ${Math.round((1 - section.pixelWeight) * 100)} % context. Over ${b.queries} held-out queries whose items keep their contexts, ${num(b.fromPixels)} of the blended top 5 is also the pixel score's own top 5, ${num(b.fromContexts)} the context score's; type P@5 blended ${num(b.blendedTypeP5)} against context alone ${num(b.contextTypeP5)}.</p>`;
}
