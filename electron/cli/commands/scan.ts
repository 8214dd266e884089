import { loadDataset } from '../../core/dataset/load';
import type { Dataset, PhotoState, Problem } from '../../core/dataset/model';
import { summarizeDataset, type ScanSummary } from '../../core/dataset/summary';
import { writeJsonAtomic } from '../../core/workspace/atomic-write';
import { workspacePaths } from '../../core/workspace/workspace';
import { UsageError, type Command } from '../command';

const STATES: readonly PhotoState[] = ['damaged', 'undamaged'];

/** The `scan --json` document (docs/scan-json.md). */
export interface ScanReport extends ScanSummary {
  problemList: Problem[];
}

export const scanCommand: Command = {
  name: 'scan',
  summary: 'Read a dataset folder and report counts per state / zone / damage type and every problem',
  usage: 'carlens scan <dataset> [--labelmap FILE] [--zones FILE] [--state damaged|undamaged] [--json] [--workspace DIR]',
  options: {
    labelmap: { type: 'string' },
    zones: { type: 'string' },
    state: { type: 'string' },
  },
  async run(context) {
    const [root, ...extra] = context.positionals;
    if (!root || extra.length > 0) throw new UsageError('expected exactly one dataset folder');
    const state = context.values.state as string | undefined;
    if (state !== undefined && !STATES.includes(state as PhotoState)) {
      throw new UsageError(`--state must be damaged or undamaged, not '${state}'`);
    }
    const dataset = await loadDataset(root, {
      labelMap: context.values.labelmap as string | undefined,
      zones: context.values.zones as string | undefined,
      state: state as PhotoState | undefined,
    });
    const ignored = (['labelmap', 'zones', 'state'] as const).filter((o) => context.values[o] !== undefined);
    if (dataset.format === 'seed' && ignored.length > 0) {
      context.stderr.write(`note: ${ignored.map((o) => `--${o}`).join(', ')} ignored: seed-convention names carry state and zone, labels are 1-9\n`);
    }
    const report: ScanReport = { ...summarizeDataset(dataset), problemList: dataset.problems };
    await writeJsonAtomic(workspacePaths(context.workspace).scanReport, report);
    context.stdout.write(context.json ? `${JSON.stringify(report, null, 2)}\n` : formatScan(report, dataset));
    return 0;
  },
};

function table(rows: [string, string | number][]): string {
  if (rows.length === 0) return '  none';
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

export function formatScan(report: ScanReport, dataset: Pick<Dataset, 'root'>): string {
  const types = Object.entries(report.damageTypes).filter(([, c]) => c.shapes > 0);
  const lines = [
    `dataset ${dataset.root} (${report.format})`,
    `photos: ${report.photos} (damaged ${report.states.damaged}, undamaged ${report.states.undamaged})`,
    '',
    'per zone:',
    table(Object.entries(report.zones).filter(([, n]) => n > 0)),
    '',
    'damage types (shapes / photos):',
    table(types.map(([t, c]) => [t, `${c.shapes} / ${c.photos}`])),
  ];
  const other = Object.entries(report.nonDamageLabels);
  if (other.length) lines.push('', 'non-damage labels (shapes):', table(other));
  lines.push('', `problems: ${report.problems.errors} error(s) (file skipped), ${report.problems.warnings} warning(s) (kept)`);
  for (const severity of ['error', 'warning'] as const) {
    for (const p of report.problemList.filter((x) => x.severity === severity)) {
      lines.push(`  ${severity.padEnd(7)} ${p.file}: ${p.message} [${p.code}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}
