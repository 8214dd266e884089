/**
 * Inline SVG charts for report.html; no script, no external font, and no xmlns (inline SVG in HTML needs none),
 * so the file stands alone and holds no URL.
 */

/** Also serves HTML text and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Series {
  label: string;
  values: number[];
  colour: string;
}

const WIDTH = 560;
const HEIGHT = 220;
const PAD = { left: 40, right: 28, top: 24, bottom: 32 };

/** Overlaid histograms of scores (e.g. top-1 vs top-k neighbour) on a shared axis over the scores' range. */
export function scoreHistogram(series: Series[], bins = 20): string {
  const all = series.flatMap((s) => s.values);
  if (!all.length) return '<p class="empty">no scores</p>';
  // A loop, not Math.min(...all): a spread of a few hundred thousand scores overflows the call stack.
  let lo = all.reduce((a, b) => Math.min(a, b));
  let hi = all.reduce((a, b) => Math.max(a, b));
  if (hi - lo < 1e-6) [lo, hi] = [lo - 0.05, hi + 0.05];
  const width = (hi - lo) / bins;
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s.values) c[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
    return c;
  });
  const peak = Math.max(1, ...counts.flat());
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const barW = plotW / bins;
  const bars = counts
    .map((c, si) =>
      c
        .map((n, b) => {
          const h = (n / peak) * plotH;
          return `<rect x="${(PAD.left + b * barW + 1).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${series[si]!.colour}" fill-opacity="0.55"/>`;
        })
        .join(''),
    )
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const x = PAD.left + f * plotW;
      return `<text x="${x.toFixed(1)}" y="${HEIGHT - 12}" text-anchor="middle">${(lo + f * (hi - lo)).toFixed(3)}</text>`;
    })
    .join('');
  const legend = series
    .map((s, i) => `<rect x="${PAD.left + i * 170}" y="6" width="12" height="12" fill="${s.colour}" fill-opacity="0.55"/><text x="${PAD.left + 16 + i * 170}" y="16">${escapeXml(s.label)} (${s.values.length})</text>`)
    .join('');
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="score distribution" font-size="11" font-family="sans-serif">
<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotH}" stroke="#888"/>
<text x="4" y="${PAD.top + 10}">${peak}</text><text x="4" y="${PAD.top + plotH}">0</text>
${bars}${ticks}${legend}
<text x="${WIDTH / 2}" y="${HEIGHT - 1}" text-anchor="middle" fill="#555">cosine score</text>
</svg>`;
}

/** Horizontal bars of a share in [0, 1] per label, with the number of queries behind each. */
export function shareBars(rows: { label: string; value: number | null; n: number }[], threshold?: number): string {
  if (!rows.length) return '<p class="empty">no damaged query with a damage type</p>';
  const rowH = 22;
  const labelW = 150;
  const plotW = 320;
  const height = rows.length * rowH + 28;
  const width = labelW + plotW + 90;
  const bars = rows
    .map((r, i) => {
      const y = 8 + i * rowH;
      const w = (r.value ?? 0) * plotW;
      return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escapeXml(r.label)}</text><rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 7}" fill="#3b78c4"/><text x="${labelW + w + 4}" y="${y + 14}">${r.value === null ? 'n/a' : `${Math.round(100 * r.value)} %`} (n=${r.n})</text>`;
    })
    .join('');
  const line =
    threshold === undefined
      ? ''
      : `<line x1="${labelW + threshold * plotW}" y1="4" x2="${labelW + threshold * plotW}" y2="${height - 18}" stroke="#c0392b" stroke-dasharray="4 3"/><text x="${labelW + threshold * plotW}" y="${height - 4}" text-anchor="middle" fill="#c0392b">${Math.round(100 * threshold)} %</text>`;
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="precision per damage type" font-size="11" font-family="sans-serif">${bars}${line}</svg>`;
}
