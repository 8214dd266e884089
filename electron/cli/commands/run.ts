import { resolve } from 'node:path';
import type { PhotoState } from '../../core/dataset/model';
import { PIPELINE_PHASES, runPipeline, type PipelinePhase } from '../../core/pipeline/pipeline';
import { defaultSources, type DatasetSource } from '../../core/pipeline/sources';
import { UsageError, type Command } from '../command';
import { abortOnInterrupt, progressReporter } from '../progress';
import { formatCropsSummary } from './crops';
import { formatEmbeddingsSummary } from './embed';
import { formatIndex } from './index-cmd';
import { formatValidation } from './validate';
import { validationReportPaths } from '../../core/validation';
import { workspacePaths } from '../../core/workspace/workspace';

/** `DIR` or `DIR=damaged|undamaged`. */
export function parseSource(value: string): DatasetSource {
  const match = /^(.*?)(?:=(damaged|undamaged))?$/.exec(value)!;
  if (!match[1]) throw new UsageError(`--dataset needs a folder: '${value}'`);
  return { path: resolve(match[1]), state: match[2] as PhotoState | undefined };
}

/** `1`, `1-3` or `crops`; phases are numbered as in the design (1 crops … 5 validation). */
export function parsePhases(value: string): PipelinePhase[] {
  const numbered: Record<number, PipelinePhase | undefined> = Object.fromEntries(PIPELINE_PHASES.map((p, i) => [i + 1, p]));
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
    if (!phase) throw new UsageError(`no phase ${n}; phases are ${PIPELINE_PHASES.map((p, i) => `${i + 1} ${p}`).join(', ')}`);
    phases.push(phase);
  }
  return phases;
}

export const runCommand: Command = {
  name: 'run',
  summary: "Run the pipeline phases over all of the workspace's sources (a fresh workspace: --dataset, else the shared real datasets)",
  usage: 'carlens run [--dataset DIR[=damaged|undamaged]]... [--phases 1-5] [--model MANIFEST] [--force] [--replace] [--json] [--workspace DIR]',
  options: {
    dataset: { type: 'string', multiple: true },
    phases: { type: 'string', default: `1-${PIPELINE_PHASES.length}` },
    model: { type: 'string' },
    force: { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
  },
  writesWorkspace: true,
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError('datasets are given with --dataset');
    const given = (context.values.dataset as string[] | undefined) ?? [];
    // Given folders must be the workspace's own (see sourcesForRun); none given: the workspace's recorded sources.
    const sources = given.length > 0 ? given.map(parseSource) : undefined;
    const phases = parsePhases(String(context.values.phases));
    const progress = progressReporter(context.stderr);
    const interrupt = abortOnInterrupt();
    try {
      const summary = await runPipeline({
        sources,
        fallbackSources: defaultSources,
        workspace: context.workspace,
        phases,
        force: Boolean(context.values.force),
        replaceOtherDataset: Boolean(context.values.replace),
        modelManifest: context.values.model as string | undefined,
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
        if (summary.contexts) {
          const c = summary.contexts;
          context.stdout.write(`\nphase 2, contexts: ${c.crops} crops, ${c.shortened} shortened to fit, ${c.edited} hand-edited, ${c.failures.length} failed\n`);
        }
        if (summary.embeddings) context.stdout.write(`\nphase 3, embeddings:\n${formatEmbeddingsSummary(summary.embeddings)}`);
        if (summary.index) context.stdout.write(`\nphase 4, index:\n${formatIndex(summary.index, workspacePaths(context.workspace).indexDir, summary.seconds.index ?? 0)}`);
        if (summary.validation) context.stdout.write(`\nphase 5, validation:\n${formatValidation(summary.validation, validationReportPaths(context.workspace))}`);
      }
      const failures = (summary.crops?.failures.length ?? 0) + (summary.contexts?.failures.length ?? 0) + (summary.embeddings?.failures.length ?? 0);
      return failures > 0 || summary.validation?.passed === false ? 1 : 0;
    } finally {
      progress.end();
      interrupt.dispose();
    }
  },
};
