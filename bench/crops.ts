/**
 * Phase 1 throughput on this machine: photos/s for each branch (clustered crops on damaged photos, car
 * locator + grid on undamaged ones), on samples of the shared real datasets, from a cold workspace.
 *   npx tsx bench/crops.ts [photosPerBranch=40]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrops } from '../electron/core/crops';
import { loadDataset } from '../electron/core/dataset/load';
import { createCarLocator } from '../electron/core/detector/index';
import { sharedDir } from '../electron/core/models/paths';
import type { Dataset } from '../electron/core/dataset/model';

const perBranch = Number(process.argv[2] ?? 40);
const datasets = join(sharedDir(), 'datasets');

function sample(dataset: Dataset, n: number): Dataset {
  return { ...dataset, photos: dataset.photos.slice(0, n) };
}

async function main(): Promise<void> {
  const damaged = await loadDataset(join(datasets, 'flickr-car-damage-parts'), {
    labelMap: join(datasets, 'flickr-car-damage-parts', 'labelmap.json'),
    zones: join(datasets, 'flickr-car-damage-parts', 'zones.csv'),
    state: 'damaged',
  });
  const undamaged = await loadDataset(join(datasets, 'car-parts-undamaged'), {
    zones: join(datasets, 'car-parts-undamaged', 'zones.csv'),
    state: 'undamaged',
  });
  const locator = await createCarLocator();
  const workspace = await mkdtemp(join(tmpdir(), 'carlens-bench-crops-'));
  const rows: string[][] = [];
  try {
    for (const [branch, dataset] of [
      ['clustered (damaged)', sample(damaged, perBranch)],
      ['grid (undamaged, detector + mask)', sample(undamaged, perBranch)],
    ] as const) {
      // One photo first so model warm-up does not count.
      await runCrops({ dataset: sample(dataset, 1), workspace, locator, force: true });
      const start = performance.now();
      const summary = await runCrops({ dataset, workspace, locator, force: true });
      const seconds = (performance.now() - start) / 1000;
      rows.push([
        branch,
        String(summary.photos),
        String(summary.crops.total),
        seconds.toFixed(2),
        (summary.photos / seconds).toFixed(2),
        (summary.crops.total / seconds).toFixed(2),
        String(summary.failures.length),
      ]);
    }
  } finally {
    await locator.dispose();
    await rm(workspace, { recursive: true, force: true });
  }
  const header = ['branch', 'photos', 'crops', 'seconds', 'photos/s', 'crops/s', 'failures'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

await main();
