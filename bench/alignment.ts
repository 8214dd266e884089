/**
 * Text ↔ image alignment for the offline model (issue #12, item 3): the text → image map fitted on the training
 * claims, scored on the held-out claims by text queries that rank crops by their IMAGE vectors only (the items'
 * contexts removed): each held-out crop's own context, then the inspector phrases of native-models/lexicon/phrases.json.
 * Each P@5 beside the class prior (a random ranking's expected score), the majority-label ranking and, for types,
 * a ranking that knows only damaged from clean; then how much of a blended text query's top 5 comes from pixels.
 *   npx tsx bench/alignment.ts [--workspace DIR] [--refit]
 * Reads the workspace's live phase 3 output and writes nothing: the map stored there is used, or fitted here (as
 * phase 3 fits it) when the output predates it or with --refit.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { heldOutAlignment } from '../electron/core/alignment/evaluate';
import { fitTextImageMap } from '../electron/core/alignment/map';
import type { LabelFigure, RankingFigures } from '../electron/core/alignment/ranking';
import { PIXEL_WEIGHT } from '../electron/core/alignment/store';
import { readTowers } from '../electron/core/alignment/towers';
import { loadLexicon } from '../electron/core/text/lexicon';
import { readBenchmarkPhrases } from '../electron/core/text/phrases';
import { readTextVocabulary, TEXT_VOCABULARY_FILE } from '../electron/core/text/vocabulary';

const { values } = parseArgs({ options: { workspace: { type: 'string', default: 'workspace' }, refit: { type: 'boolean', default: false } } });
const towers = await readTowers(values.workspace!);
if (!towers) throw new Error(`${values.workspace}: phase 3 kept no tower vectors; re-run phase 3`);
if (towers.aligned) console.log(`${towers.model} is aligned (CLIP family): its own text tower is used, no map is fitted.`);

const image = { data: towers.image, rows: towers.records.length, cols: towers.imageDim };
const text = { data: towers.text, rows: towers.records.length, cols: towers.textDim };
const started = performance.now();
const fit = values.refit || !towers.alignment ? fitTextImageMap(towers.records, image, text) : null;
const map = fit?.map ?? towers.alignment!.map;
console.log(`# text → image map (${towers.model}, ${towers.records.length} crops)\n`);
console.log(fit ? `fitted here in ${((performance.now() - started) / 1000).toFixed(1)} s on ${fit.fittedOn.length} training crops` : `stored by phase 3 (${towers.alignment!.info.fitted_on} training crops)`);
console.log(`λ = ${map.lambda}, offset ${map.offsetMode}`);
for (const s of fit?.selection ?? towers.alignment?.info.selection ?? []) {
  console.log(`  candidate λ ${s.lambda} ${s.offsetMode}: validation type P@5 ${fmt(s.typeP5)}, has_damage P@5 ${fmt(s.hasDamageP5)}`);
}

const vocabulary = await readTextVocabulary(join(towers.source, TEXT_VOCABULARY_FILE), await loadLexicon(), towers.textDim);
const phrases = (await readBenchmarkPhrases()).map((p) => ({ ...p, vector: vocabulary.vector(p.text) }));
const figures = heldOutAlignment({ records: towers.records, image, text, map, phrases, blend: { alpha: towers.fusion.alpha, beta: towers.fusion.beta, pixelWeight: PIXEL_WEIGHT } });
console.log(`\ncrops: fit ${figures.crops.fit}, validation ${figures.crops.validation}, held-out ${figures.crops.heldout} (claim-grouped split)\n`);

console.log('## held-out crops, each queried by its own context mapped to the image space; items ranked by pixels only\n');
console.log('| source | label | queries | P@5 (pixels) | class prior (random) | majority label | × prior |');
console.log('|---|---|---|---|---|---|---|');
const line = (source: string, label: string, f: LabelFigure, extra = '') =>
  console.log(`| ${source} | ${label} | ${f.queries} | **${fmt(f.precision)}** | ${fmt(f.prior)}${extra} | ${fmt(f.majority)} | ${f.precision !== null && f.prior ? (f.precision / f.prior).toFixed(1) : '–'} |`);
for (const f of figures.ownContexts as RankingFigures[]) {
  line(f.source, 'has_damage', f.has_damage);
  line(f.source, 'damage type', f.damage_type, ` (damaged at random: ${fmt(f.damage_type.damaged_prior)})`);
  line(f.source, 'zone', f.zone);
}

console.log(`\n## inspector phrases over held-out crops, ranked by pixels only (${figures.phrases.length} scored)\n`);
console.log('| phrase | relevant crops | P@5 (pixels) | random |\n|---|---|---|---|');
for (const p of figures.phrases) console.log(`| ${p.text} | ${p.relevant} | ${p.pixels.toFixed(2)} | ${p.random.toFixed(2)} |`);
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
console.log(`| **mean** | | **${fmt(avg(figures.phrases.map((p) => p.pixels)))}** | ${fmt(avg(figures.phrases.map((p) => p.random)))} |`);
if (figures.unscored.length) console.log(`\nnot scored (fewer than 5 relevant held-out crops): ${figures.unscored.length} phrases`);

const b = figures.blend;
console.log(`\n## blended text query (pixel weight ${PIXEL_WEIGHT}), held-out crops keeping their contexts, ${b.queries} queries\n`);
console.log(`top 5 shared with the pixel score alone: ${fmt(b.fromPixels)}; with the context score alone: ${fmt(b.fromContexts)}`);
console.log(`type P@5: blended ${fmt(b.blendedTypeP5)}, context alone ${fmt(b.contextTypeP5)}`);

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : x.toFixed(3);
}
