import { resolve } from 'node:path';
import type { PhotoState } from '../../core/dataset/model';
import { PIPELINE_PHASES, runPipeline, type PipelinePhase } from '../../core/pipeline/pipeline';
import { defaultSources, type DatasetSource } from '../../core/pipeline/sources';
import { UsageError, type Command } from '../command';
import { abortOnInterrupt, progressReporter } from '../progress';
import { formatCropsSummary } from './crops';

/** `DIR` or `DIR=damaged|undamaged`. */
export function parseSource(value: string): DatasetSource {
  const match = /^(.*?)(?:=(damaged|undamaged))?$/.exec(value)!;
  if (!match[1]) throw new UsageError(`--dataset needs a folder: '${value}'`);
  return { path: resolve(match[1]), state: match[2] as PhotoState | undefined };
}

/** `1`, `1-3` or `crops`; phases are numbered as in the design (1 crops … 5 validation). */
export function parsePhases(value: string): PipelinePhase[] {
  const numbered: Record<number, PipelinePhase | undefined> = { 1: 'crops' };
  const range = /^(\d)(?:-(\d))?$/.exec(value);
  if (!range) {
    if ((PIPELINE_PHASES as readonly string[]).includes(value)) return [value as PipelinePhase];
    throw new UsageError(`--phases must look like 1-5 or name a phase (${PIPELINE_PHASES.join(', ')})`);
  }
  const from = Number(range[1]);
  const to = Number(range[2] ?? range[1]);
  const phases: PipelinePhase[] = [];
  for (let n = from; n <= to; n++) {
    const phase = numbered[n];
    if (!phase) throw new UsageError(`phase ${n} is not implemented yet; available: 1 (crops)`);
    phases.push(phase);
  }
  return phases;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the pipeline phases over one or more datasets (default: the shared real datasets)',
  usage: 'carlens run [--dataset DIR[=damaged|undamaged]]... [--phases 1] [--force] [--json] [--workspace DIR]',
  options: {
    dataset: { type: 'string', multiple: true },
    phases: { type: 'string', default: '1' },
    force: { type: 'boolean', default: false },
  },
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError('datasets are given with --dataset');
    const given = (context.values.dataset as string[] | undefined) ?? [];
    const sources = given.length > 0 ? given.map(parseSource) : defaultSources();
    const phases = parsePhases(String(context.values.phases));
    const progress = progressReporter(context.stderr);
    const interrupt = abortOnInterrupt();
    try {
      const summary = await runPipeline({
        sources,
        workspace: context.workspace,
        phases,
        force: Boolean(context.values.force),
        onProgress: progress,
        signal: interrupt.signal,
      });
      progress.end();
      if (context.json) {
        context.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        for (const scan of summary.scans) {
          context.stdout.write(
            `dataset ${scan.root}: ${scan.photos} photos (${scan.states.damaged} damaged, ${scan.states.undamaged} undamaged), ` +
              `${scan.problems.errors} skipped, ${scan.problems.warnings} warnings\n`,
          );
        }
        if (summary.crops) context.stdout.write(`\nphase 1, crops:\n${formatCropsSummary(summary.crops)}`);
      }
      return summary.crops?.failures.length ? 1 : 0;
    } finally {
      progress.end();
      interrupt.dispose();
    }
  },
};
