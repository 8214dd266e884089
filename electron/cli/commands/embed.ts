import type { ExecutionProvider } from '../../core/embedder/embedder';
import type { FusionStrategy } from '../../core/embedder/fusion';
import { runEmbeddings, type EmbeddingsSummary } from '../../core/embedder/run';
import { UsageError, type Command } from '../command';
import { abortOnInterrupt, progressReporter } from '../progress';

const FUSIONS: readonly FusionStrategy[] = ['average', 'weighted', 'concat'];
const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'dml', 'coreml'];

function weight(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0`);
  return n;
}

export function formatEmbeddingsSummary(s: EmbeddingsSummary): string {
  return [
    `model             ${s.model} (${s.aligned ? 'aligned towers' : 'towers not aligned'}), provider ${s.provider}`,
    `fusion            ${s.fusion.strategy} (alpha ${s.fusion.alpha}, beta ${s.fusion.beta}), dim ${s.dim}`,
    `crops             ${s.embedded} embedded of ${s.crops}; ${s.failures.length} failed; ${s.withoutText} without context text`,
    ...(s.resumed ? [`resumed           after ${s.resumed.after} of ${s.resumed.of} crops (the finished batches of an interrupted run were kept)`] : []),
    ...s.failures.map((f) => `  ${f.file}: ${f.message}`),
    `norms             mean ${s.norms.mean.toFixed(6)}, std ${s.norms.std.toExponential(2)}`,
    `time              ${s.seconds.total.toFixed(1)} s (${(s.embedded / s.seconds.embed).toFixed(1)} crops/s after ${s.seconds.load.toFixed(1)} s loading)`,
    `output            ${s.path}`,
  ].join('\n') + '\n';
}

export const embedCommand: Command = {
  name: 'embed',
  summary: 'Phase 3: one fused, L2-normalised vector per crop (image + context text)',
  usage:
    'carlens embed [--model MANIFEST] [--fusion concat|weighted|average] [--alpha A --beta B] [--no-multipatch] [--provider cpu|cuda|dml|coreml] [--batch N] [--json] [--workspace DIR]' +
    '   (--batch: crops per batch and per checkpoint, default 16 or CARLENS_EMBED_BATCH, which `run` also reads; an interrupted run resumes after its last finished batch)',
  options: {
    model: { type: 'string' },
    fusion: { type: 'string' },
    alpha: { type: 'string' },
    beta: { type: 'string' },
    'no-multipatch': { type: 'boolean', default: false },
    provider: { type: 'string', default: 'cpu' },
    batch: { type: 'string' },
  },
  writesWorkspace: true,
  async run(context) {
    const fusion = context.values.fusion as FusionStrategy | undefined;
    if (fusion !== undefined && !FUSIONS.includes(fusion)) throw new UsageError(`--fusion must be one of ${FUSIONS.join(', ')}`);
    const provider = context.values.provider as ExecutionProvider;
    if (!PROVIDERS.includes(provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
    const batch = context.values.batch === undefined ? undefined : Number(context.values.batch);
    if (batch !== undefined && (!Number.isInteger(batch) || batch < 1)) throw new UsageError('--batch must be a whole number ≥ 1');
    const progress = progressReporter(context.stderr);
    const interrupt = abortOnInterrupt();
    try {
      const summary = await runEmbeddings({
        workspace: context.workspace,
        manifestPath: context.values.model as string | undefined,
        fusion: {
          ...(fusion && { strategy: fusion }),
          ...(context.values.alpha !== undefined && { alpha: weight(context.values.alpha, 'alpha') }),
          ...(context.values.beta !== undefined && { beta: weight(context.values.beta, 'beta') }),
        },
        multiPatch: !context.values['no-multipatch'],
        provider,
        batchSize: batch,
        onProgress: progress,
        signal: interrupt.signal,
      });
      progress.end();
      context.stdout.write(context.json ? `${JSON.stringify(summary, null, 2)}\n` : formatEmbeddingsSummary(summary));
      return summary.failures.length ? 1 : 0;
    } finally {
      progress.end();
      interrupt.dispose();
    }
  },
};
