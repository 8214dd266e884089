import type { SearchFilters } from '../retriever';
import { inspectionHtml } from './inspection-html';
import { textQueriesHtml } from './text-queries-section';
import { alignmentHtml } from './alignment-section';
import { escapeXml as esc, scoreHistogram, shareBars } from './plots';
import type { ExampleCrop, FusionRow, Precision, QueryFigures, ValidationReport } from './report';

/** crop_id → JPEG data URI (null: the crop file could not be read). */
export type Thumbnails = ReadonlyMap<string, string | null>;

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde;padding-bottom:4px}
.meta{color:#556;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 12px;min-width:420px}
th,td{border:1px solid #d5d9e2;padding:4px 10px;text-align:left}th{background:#f0f2f7;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#17733a;font-weight:600}.fail{color:#b3261e;font-weight:600}.na{color:#778}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
.badge.pass{background:#17733a}.badge.fail{background:#b3261e}
.example{display:flex;gap:10px;align-items:flex-start;margin:10px 0;padding:8px;border:1px solid #e1e4ea;border-radius:6px}
.crop{width:104px;font-size:11px;line-height:1.3}.crop img,.crop .noimg{width:96px;height:96px;display:block;border-radius:4px;border:2px solid #ccd}
.crop.query img{border-color:#1d2330}.crop .noimg{background:#eee;color:#889;text-align:center;line-height:96px}
.crop.damaged img{border-color:#d35400}.arrow{align-self:center;font-size:20px;color:#99a}
.plots{display:flex;flex-wrap:wrap;gap:24px}.empty{color:#778}
code{background:#f3f4f7;padding:0 3px;border-radius:3px}
`;

function pct(value: number | null): string {
  return value === null ? '<span class="na">n/a</span>' : `${(100 * value).toFixed(1)} %`;
}

function verdict(passed: boolean | null): string {
  return passed === null ? '<span class="na">n/a</span>' : passed ? '<span class="pass">pass</span>' : '<span class="fail">FAIL</span>';
}

function filterText(filters: SearchFilters): string {
  return Object.entries(filters)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('|') : String(value)}`)
    .join(', ');
}

function table(head: string[], rows: string[][], id?: string): string {
  const cell = (c: string): string => (/^(-?[\d.]+( %)?|<span class="na">n\/a<\/span>)$/.test(c) ? `<td class="num">${c}</td>` : `<td>${c}</td>`);
  return `<table${id ? ` id="${id}"` : ''}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function fusionLabel(f: FusionRow): string {
  return f.strategy === 'average' ? 'average' : `${f.strategy} (α ${f.alpha}, β ${f.beta})`;
}

const QUERY_KINDS = [
  ['photo', 'photo only (image tower)'],
  ['crop', 'crop: image + its context'],
  ['text', 'text only (its context)'],
] as const;

function fusionRows(rows: readonly FusionRow[]): string[][] {
  return rows.flatMap((f) => {
    const name = esc(fusionLabel(f)) + (f.indexed ? ' <b>(indexed)</b>' : '');
    if (!f.queries) return [];
    return QUERY_KINDS.map(([kind, label]) => {
      const q: QueryFigures = f.queries![kind];
      return [name, String(f.dim), label, String(q.has_damage.queries), pct(q.has_damage.precision), pct(q.damage_type.precision), pct(q.zone.precision)];
    });
  });
}

function precisionRow(name: string, p: Precision): string[] {
  return [name, String(p.queries), pct(p.precision)];
}

function cropCard(crop: ExampleCrop, thumbnails: Thumbnails, extra: string, query: boolean): string {
  const uri = thumbnails.get(crop.crop_id);
  const img = uri ? `<img src="${uri}" alt="${esc(crop.crop_id)}">` : '<div class="noimg">no image</div>';
  const types = crop.has_damage ? crop.damage_types.join(', ') || 'damage' : 'clean';
  return `<div class="crop${query ? ' query' : ''}${crop.has_damage ? ' damaged' : ''}" title="${esc(crop.crop_id)}">${img}${extra}zone ${esc(crop.zone ?? '?')}<br>${esc(types)}</div>`;
}

/** The whole report as one HTML file: inline CSS, inline SVG, images as data URIs; nothing is fetched. */
export function renderReportHtml(report: ValidationReport, thumbnails: Thumbnails): string {
  const { index, k, filter_checks: fc, coverage, leakage_free: lf } = report;
  const indexedPhoto = report.fusion.rows.find((r) => r.indexed)?.queries?.photo;
  const photoPerType = new Map(indexedPhoto?.per_type.map((t) => [t.type, t.precision]));
  const filterRows = fc.checks.map((c) => [esc(c.name), `<code>${esc(filterText(c.filters))}</code>`, String(c.queries), String(c.mismatches), String(c.underfilled), verdict(c.passed)]);
  const violations = fc.violations.length
    ? `<p class="fail">${fc.violation_count} violation(s); the first ${fc.violations.length}:</p>${table(
        ['check', 'query', 'filter', 'kind', 'result', 'detail'],
        fc.violations.map((v) => [esc(v.check), esc(v.query_crop_id), `<code>${esc(filterText(v.filters))}</code>`, v.kind, esc(v.crop_id ?? ''), esc(v.detail)]),
        'violations',
      )}`
    : '';
  const coverageRows = (['damaged', 'clean'] as const).map((name) => {
    const c = coverage[name];
    return [`${name} → ${name}`, String(c.queries), pct(c.with_self), pct(c.without_self), `${Math.round(100 * c.threshold)} %`, verdict(c.passed)];
  });
  const examples = report.examples
    .map(
      (e) =>
        `<div class="example">${cropCard(e.query, thumbnails, '<b>query</b><br>', true)}<div class="arrow">→</div>${e.results
          .map((r) => cropCard(r, thumbnails, `#${r.rank} · ${r.score.toFixed(3)}<br>`, false))
          .join('')}</div>`,
    )
    .join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CarLens validation report</title><style>${CSS}</style></head>
<body>
<h1>CarLens validation report <span class="badge ${report.passed ? 'pass' : 'fail'}">${report.passed ? 'filter checks pass' : 'filter checks FAIL'}</span></h1>
<p class="meta">${esc(report.workspace)} · index generation ${index.generation} (${esc(index.index_type)}, ${index.count} crops) · model ${esc(index.model)}, dim ${index.dim}, fusion ${esc(index.fusion ?? 'n/a')} · k = ${k} · ${esc(report.generated_at)}</p>
${report.index_stale ? `<p class="fail" role="alert">The index is older than its inputs (${esc(report.index_stale)}): these figures describe it, not the current crops; re-run the phases it names.</p>` : ''}
<p class="meta">Each indexed crop's own stored vector is a query; nothing is re-embedded.</p>

<h2>Filter checks</h2>
<p class="meta">${fc.sampled_queries} queries per filter. A result must satisfy the filter by the index's record and by phase 3's record of the crop; k must be filled whenever at least k crops pass.</p>
${table(['check', 'filter', 'queries', 'mismatches', 'underfilled', 'result'], filterRows, 'filter-checks')}
${violations}

<h2>Coverage (unfiltered top ${k})</h2>
${table(['query class', 'queries', 'with own crop', 'without own crop', 'threshold', 'result'], coverageRows, 'coverage')}

<h2>Leakage-free precision (query's source photo excluded)</h2>
<p class="meta">Each query is a crop's own indexed vector (image + context). For how a dropped photo fares, read the <b>photo only</b> rows under <a href="#fusion">fusion strategies</a>.</p>
${table(['figure', 'queries', `P@${k}`], [precisionRow('has_damage', lf.has_damage), precisionRow('damage type (shared type)', lf.damage_type), precisionRow('zone', lf.zone)], 'leakage-free')}
<div class="plots">
<div>${table(['damage type', 'queries', `P@${k}`, `photo only P@${k}`], lf.per_type.map((t) => [...precisionRow(t.type, t), pct(photoPerType.get(t.type) ?? null)]), 'per-type')}</div>
<div>${shareBars(lf.per_type.map((t) => ({ label: t.type, value: t.precision, n: t.queries })))}</div>
</div>

<h2>Fusion strategies and query kinds (leakage-free P@${k})</h2>
<p class="meta">Recomputed from phase 3's tower vectors${report.fusion.source ? ` (<code>${esc(report.fusion.source)}</code>)` : ''}; the items are always the fused crops, as indexed. A <b>photo</b> query is how an inspector's dropped photo is searched: the honest figure for it. A <b>crop</b> query includes the crop's own context text, which spells out its zone and damage types: those figures carry label leakage.</p>
${report.fusion.note ? `<p class="meta">${esc(report.fusion.note)}</p>` : ''}
${table(['fusion', 'dim', 'query', 'queries', `has_damage P@${k}`, `type P@${k}`, `zone P@${k}`], fusionRows(report.fusion.rows), 'fusion')}
${report.fusion.rows
  .filter((f) => !f.queries)
  .map((f) => `<p class="meta">Not scored: ${esc(fusionLabel(f))}: ${esc(f.unavailable ?? 'unavailable')}.</p>`)
  .join('\n')}

<h2>Score distribution (leakage-free neighbours)</h2>
${scoreHistogram([
  { label: 'rank-1 neighbour', values: report.scores.top1, colour: '#3b78c4' },
  { label: `rank-${k} neighbour`, values: report.scores.topk, colour: '#d35400' },
])}

${inspectionHtml(report.inspection)}
${textQueriesHtml(report.text_queries)}
${alignmentHtml(report.text_alignment)}

<h2>Examples (leakage-free top ${k})</h2>
${examples || '<p class="empty">no example</p>'}
</body></html>
`;
}
