import type { InspectionFigures } from './inspection-figures';

const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`);
const num = (x: number | null, digits = 3) => (x === null ? 'n/a' : x.toFixed(digits));

/** Rows of the held-out inspection table: a label (with its baseline) and the cell text for one source. */
export const INSPECTION_ROWS: readonly [string, (f: InspectionFigures) => string][] = [
  ['damage yes/no balanced accuracy (baseline: always "damaged" 50 %)', (f) => pct(f.damage.balancedAccuracy)],
  ['accuracy (baseline: always "damaged")', (f) => `${pct(f.damage.accuracy)} (${pct(f.damage.alwaysDamagedAccuracy)})`],
  ['clean photos answered clean (baseline: always "damaged" 0 %)', (f) => pct(f.damage.cleanAccuracy)],
  ['damaged photos answered damaged', (f) => pct(f.damage.damagedRecall)],
  ['answered "uncertain"', (f) => pct(f.damage.uncertainShare)],
  ['Brier score (baseline: training base rate)', (f) => `${num(f.damage.brier)} (${num(f.damage.baseRateBrier)})`],
  ['window AUROC within photos (baseline: random 0.5)', (f) => `${num(f.windows.withinPhotoAuroc)} (${f.windows.photos} photos, ${f.windows.pairs} pairs)`],
  ['same pairs, neighbours\' damage vote', (f) => num(f.windows.neighbourVoteAuroc)],
  ['pointing game (baseline: random window)', (f) => `${pct(f.windows.pointing)} (${pct(f.windows.randomPointing)})`],
  ['clean-car windows above the damage threshold (target ≤ 5 %)', (f) => `${pct(f.windows.cleanCarWindowsAboveThreshold)} of ${f.windows.cleanCarWindows}`],
  ['type top-1 vs annotated (baseline: majority type)', (f) => `${pct(f.types.top1)} (${pct(f.types.majorityTop1)} ${f.types.majorityType ?? ''}; ${f.types.photos} photos)`],
  ['type P@5 of damaged windows\' neighbours (baseline: random ranking)', (f) => `${pct(f.types.p5)} (${pct(f.types.randomP5)}; ${f.types.windows} windows)`],
  ['latency p50 / p95 ms (evaluation path)', (f) => `${num(f.latencyMs.p50, 0)} / ${num(f.latencyMs.p95, 0)}`],
];

export function sourceHeading(f: InspectionFigures): string {
  return `${f.source || 'dataset'} (${f.photos.damaged} damaged / ${f.photos.clean} clean)`;
}

/** The held-out inspection figures as a Markdown table: one column per source, each figure beside its baseline. */
export function formatInspectionFigures(figures: readonly InspectionFigures[]): string {
  const header = `| figure (held-out, by claim) | ${figures.map(sourceHeading).join(' | ')} |`;
  return [header, `|---|${figures.map(() => '---').join('|')}|`, ...INSPECTION_ROWS.map(([name, cell]) => `| ${name} | ${figures.map(cell).join(' | ')} |`)].join('\n');
}
