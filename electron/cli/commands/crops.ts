import { resolve } from 'node:path';
import { UsageError, type Command, type CommandContext } from '../command';
import { loadDataset } from '../../core/dataset/load';
import { runCrops, type CropsSummary } from '../../core/crops';
import { abortOnInterrupt, progressReporter } from '../progress';

const STATES = ['damaged', 'undamaged'] as const;

/** A file option as an absolute path: workspace.json is read later, from any working directory. */
function absolute(value: unknown): string | undefined {
  const path = optionalString(value);
  return path === undefined ? undefined : resolve(path);
}

export const cropsCommand: Command = {
  name: 'crops',
  summary: 'Phase 1: crops around defects (damaged photos) and a grid over the car (undamaged photos)',
  usage:
    'carlens crops <dataset> [--labelmap FILE] [--zones FILE] [--state damaged|undamaged] [--force] [--replace] [--no-mask] [--json] [--workspace DIR]',
  options: {
    labelmap: { type: 'string' },
    zones: { type: 'string' },
    state: { type: 'string' },
    force: { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
    'no-mask': { type: 'boolean', default: false },
  },
  writesWorkspace: true,
  async run(context: CommandContext): Promise<number> {
    const [root, ...extra] = context.positionals;
    if (!root || extra.length) throw new UsageError('expected exactly one dataset folder');
    const state = context.values.state;
    if (state !== undefined && !STATES.includes(state as (typeof STATES)[number])) {
      throw new UsageError(`--state must be damaged or undamaged, not ${String(state)}`);
    }
    const useMask = !context.values['no-mask'];
    const dataset = await loadDataset(root, {
      labelMap: optionalString(context.values.labelmap),
      zones: optionalString(context.values.zones),
      state: state as (typeof STATES)[number] | undefined,
    });
    const skipped = dataset.problems.filter((p) => p.severity === 'error').length;
    if (skipped) context.stderr.write(`dataset: ${skipped} file(s) skipped by the loader (see the scan command)\n`);

    const progress = progressReporter(context.stderr);
    const interrupt = abortOnInterrupt();
    let summary: CropsSummary;
    try {
      summary = await runCrops({
        dataset,
        workspace: context.workspace,
        // The default car locator, created only when there are undamaged photos to crop.
        config: { useMask },
        force: Boolean(context.values.force),
        replaceOtherDataset: Boolean(context.values.replace),
        sources: [{ path: dataset.root, labelMap: absolute(context.values.labelmap), zones: absolute(context.values.zones), state: state as (typeof STATES)[number] | undefined }],
        onProgress: progress,
        signal: interrupt.signal,
      });
    } finally {
      interrupt.dispose();
      progress.end();
    }
    if (context.json) context.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else context.stdout.write(formatCropsSummary(summary));
    return summary.failures.length ? 1 : 0;
  },
};

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function formatCropsSummary(s: CropsSummary): string {
  const rate = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)} %`);
  const mean = (v: number | null) => (v === null ? '-' : v.toFixed(2));
  const lines = [
    `photos            ${s.photos} (${s.damagedPhotos} damaged, ${s.undamagedPhotos} undamaged); ${s.processed} cropped, ${s.skippedUpToDate} up to date`,
    `crops             ${s.crops.total} (${s.crops.clustered} clustered, ${s.crops.grid} grid, ${s.crops.cleanWindows} clean windows)`,
    `crops / photo     damaged ${mean(s.cropsPerPhoto.damaged)}, undamaged ${mean(s.cropsPerPhoto.undamaged)}, clean windows per damaged ${mean(s.cropsPerPhoto.cleanWindows)} (${s.damagedWithCleanWindow} photos with one)`,
    `detector hit rate ${rate(s.detectorHitRate)}${s.fallbackPhotos.length ? ` (${s.fallbackPhotos.length} photo(s) used the central region)` : ''}`,
    `no grid crop      ${s.photosWithoutGridCrop.length}${s.photosWithoutGridCrop.length ? `: ${s.photosWithoutGridCrop.slice(0, 5).join(', ')}${s.photosWithoutGridCrop.length > 5 ? ', …' : ''}` : ''}`,
    `failures          ${s.failures.length}`,
    ...s.failures.map((f) => `  ${f.file}: ${f.message}`),
    ...s.warnings.map((w) => `warning: ${w}`),
    `metadata          ${s.metadataPath}`,
  ];
  return `${lines.join('\n')}\n`;
}
