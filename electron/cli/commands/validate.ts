import { runValidation, validationReportPaths, type Precision, type ValidationReport } from '../../core/validation';
import { formatInspectionFigures } from '../../core/validation/inspection-table';
import { UsageError, type Command } from '../command';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Phase 5: filter checks, coverage and leakage-free P@k on the current index; writes validation/report.{json,html}',
  usage: 'carlens validate [-k 5] [--json] [--workspace DIR]   (exit 1 when a filter check fails)',
  options: {
    k: { type: 'string', short: 'k', default: '5' },
  },
  writesWorkspace: true,
  async run(context) {
    if (context.positionals.length) throw new UsageError('validate takes no positional arguments');
    const k = Number(context.values.k);
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`-k must be a positive integer, not ${String(context.values.k)}`);
    const report = await runValidation({
      workspace: context.workspace,
      k,
      onProgress: (p) => {
        if (p.done === 0 || p.done === p.total) context.stderr.write(`validate: ${p.stage} ${p.done}/${p.total}\n`);
      },
    });
    if (context.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else context.stdout.write(formatValidation(report, validationReportPaths(context.workspace)));
    return report.passed ? 0 : 1;
  },
};

function pct(value: number | null): string {
  return value === null ? 'n/a' : `${(100 * value).toFixed(1)} %`;
}

function precision(p: Precision): string {
  return `${pct(p.precision).padStart(7)}  (${p.queries} queries)`;
}

export function formatValidation(report: ValidationReport, paths: { json: string; html: string }): string {
  const { filter_checks: fc, coverage, leakage_free: lf, k } = report;
  const lines = [
    `index      gen ${report.index.generation}, ${report.index.count} crops, ${report.index.model} (dim ${report.index.dim}, fusion ${report.index.fusion ?? 'n/a'}), k = ${k}`,
    '',
    `filter checks (${fc.sampled_queries} queries each)`,
    ...fc.checks.map((c) => `  ${c.passed ? 'pass' : 'FAIL'}  ${c.name.padEnd(22)} mismatches ${c.mismatches}, underfilled ${c.underfilled}`),
    ...fc.violations.slice(0, 5).map((v) => `  ! ${v.check}: query ${v.query_crop_id}, ${v.kind}${v.crop_id ? ` ${v.crop_id}` : ''}: ${v.detail}`),
    '',
    `coverage (top ${k}, unfiltered)          with own crop  without`,
    ...(['damaged', 'clean'] as const).map((name) => {
      const c = coverage[name];
      const verdict = c.passed === null ? 'n/a' : c.passed ? 'pass' : 'below';
      return `  ${`${name} → ${name}`.padEnd(18)} ${String(c.queries).padStart(5)} queries  ${pct(c.with_self).padStart(7)}  ${pct(c.without_self).padStart(7)}  ${verdict} (≥ ${Math.round(100 * c.threshold)} %)`;
    }),
    '',
    `leakage-free P@${k} (query's photo excluded)`,
    `  has_damage         ${precision(lf.has_damage)}`,
    `  damage type        ${precision(lf.damage_type)}`,
    `  zone               ${precision(lf.zone)}`,
    ...lf.per_type.map((t) => `    ${t.type.padEnd(19)}${precision(t)}`),
    '',
    `fusion strategies × query kinds (leakage-free P@${k}: has_damage / type / zone)`,
    ...(report.fusion.note ? [`  ${report.fusion.note}`] : []),
    ...report.fusion.rows.flatMap((f) => {
      const name = `${f.strategy}${f.strategy === 'average' ? '' : ` ${f.alpha}/${f.beta}`}${f.indexed ? ' (indexed)' : ''}`.padEnd(24);
      if (!f.queries) return [`  ${name} unavailable: ${f.unavailable}`];
      return (['photo', 'crop', 'text'] as const).map((kind) => {
        const q = f.queries![kind];
        return `  ${name} ${kind.padEnd(6)} ${pct(q.has_damage.precision)} / ${pct(q.damage_type.precision)} / ${pct(q.zone.precision)}  (${q.has_damage.queries} queries)`;
      });
    }),
    '',
    'inspection of held-out photos (split by claim; baselines in brackets)',
    'unavailable' in report.inspection ? `  not measured: ${report.inspection.unavailable}` : formatInspectionFigures(report.inspection.figures),
    '',
    `result     filter checks ${report.passed ? 'pass' : `FAIL (${fc.violation_count} violations)`}`,
    `written    ${paths.json}`,
    `           ${paths.html}`,
  ];
  return `${lines.join('\n')}\n`;
}
