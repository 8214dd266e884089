import type { ReliabilityBin } from '../learning/binary-metrics';
import type { InspectionSection } from './inspection-section';
import { INSPECTION_ROWS, sourceHeading } from './inspection-table';
import { escapeXml as esc } from './plots';

/** Stated probability (x) against the observed share of damaged photos (y) per bin; the diagonal is perfect calibration. */
export function reliabilityPlot(bins: readonly ReliabilityBin[]): string {
  const size = 240;
  const pad = 34;
  const at = (v: number) => pad + v * size;
  const flip = (v: number) => pad + (1 - v) * size;
  const points = bins.filter((b) => b.count > 0 && b.meanPredicted !== null && b.observed !== null);
  const dots = points
    .map((b) => `<circle cx="${at(b.meanPredicted!).toFixed(1)}" cy="${flip(b.observed!).toFixed(1)}" r="${Math.min(9, 2.5 + Math.sqrt(b.count))}" fill="#3b78c4" fill-opacity="0.75"><title>${Math.round(100 * b.from)}-${Math.round(100 * b.to)} %: ${b.count} photos, ${Math.round(100 * b.observed!)} % damaged</title></circle>`)
    .join('');
  const ticks = [0, 0.5, 1].map((v) => `<text x="${at(v)}" y="${pad + size + 14}" text-anchor="middle">${v * 100} %</text><text x="${pad - 4}" y="${flip(v) + 4}" text-anchor="end">${v * 100} %</text>`).join('');
  return `<svg viewBox="0 0 ${size + 2 * pad} ${size + 2 * pad + 8}" width="${size + 2 * pad}" height="${size + 2 * pad + 8}" role="img" aria-label="reliability of the stated damage probability" font-size="11" font-family="sans-serif">
<rect x="${pad}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#999"/>
<line x1="${at(0)}" y1="${flip(0)}" x2="${at(1)}" y2="${flip(1)}" stroke="#c0392b" stroke-dasharray="4 3"/>
${dots}${ticks}
<text x="${pad + size / 2}" y="${size + 2 * pad + 4}" text-anchor="middle" fill="#555">stated P(damaged)</text>
<text x="10" y="${pad + size / 2}" transform="rotate(-90 10 ${pad + size / 2})" text-anchor="middle" fill="#555">observed share damaged</text>
</svg>`;
}

/** The report's inspection section: the held-out table per source, the reliability plot, and how to read them. */
export function inspectionHtml(section: InspectionSection): string {
  if ('unavailable' in section) return `<h2 id="inspection">Inspection of held-out photos</h2><p class="meta">Not measured: ${esc(section.unavailable)}.</p>`;
  const head = `<tr><th>figure (held-out photos, split by claim)</th>${section.figures.map((f) => `<th>${esc(sourceHeading(f))}</th>`).join('')}</tr>`;
  const body = INSPECTION_ROWS.map(([name, cell]) => `<tr><td>${esc(name)}</td>${section.figures.map((f) => `<td>${esc(cell(f))}</td>`).join('')}</tr>`).join('\n');
  const all = section.figures[0]!;
  return `<h2 id="inspection">Inspection of held-out photos</h2>
<p class="meta">Each held-out photo (claim-grouped split: photos of one claim never on both sides) is answered as the app answers a dropped photo: heads <code>${esc(section.heads)}</code> over the whole photo, one grid of equal windows over the car, ${section.neighboursUnavailable ? `no neighbours (${esc(section.neighboursUnavailable)})` : 'neighbours drawn from training-side crops only'}. Baselines in brackets. Datasets: ${section.datasets.map((d) => `<code>${esc(d)}</code>`).join(', ')}.</p>
<p class="meta"><b>Trust most</b> the window AUROC within photos and the pointing game (damaged and clean windows of the <i>same</i> photo, same grid and size: neither source nor framing can give the answer away) and the per-source columns. <b>Read with care</b> the photo-level damage figures: every clean whole photo still comes from one source (car-parts), so "clean photos answered clean" also measures that source.</p>
<table id="inspection-table"><thead>${head}</thead><tbody>${body}</tbody></table>
<div class="plots"><div>${reliabilityPlot(all.reliability)}</div><div><p class="meta">Reliability of the stated probability over all ${all.photos.damaged + all.photos.clean} held-out photos: a dot on the dashed diagonal means "of the photos given about p, a share p was damaged". Brier ${all.damage.brier?.toFixed(3) ?? 'n/a'} against ${all.damage.baseRateBrier?.toFixed(3) ?? 'n/a'} for always stating the training base rate (${Math.round(100 * all.damage.baseRate)} %).</p></div></div>`;
}
