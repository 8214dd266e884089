/**
 * Car locator throughput on this machine: photos/s for detect-only and detect + mask (through createCarLocator,
 * as the crops phase calls it), and mean ms per stage, on real whole-car photos from the shared undamaged set.
 *   npx tsx bench/detector.ts [photos=40]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CarSegmenter, createCarLocator, Detector, maskShare, type CarLocation } from '../electron/core/detector/index';
import { sharedDir } from '../electron/core/models/paths';

const count = Number(process.argv[2] ?? 40);
const folder = join(sharedDir(), 'datasets', 'car-parts-undamaged');
// Spread over the set (numeric names) rather than the first few, which are similar shots.
const all = readdirSync(folder).filter((f) => f.endsWith('.jpg')).sort((a, b) => parseInt(a.slice(5)) - parseInt(b.slice(5)));
const photos = Array.from({ length: Math.min(count, all.length) }, (_, i) => join(folder, all[Math.floor((i * all.length) / count)]!));

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** Runs `fn` once per photo after one warm-up call; returns the mean ms of each stage it reports. */
async function stages(fn: (photo: string, time: (stage: string) => void) => Promise<void>): Promise<Map<string, number>> {
  await fn(photos[0]!, () => {});
  const totals = new Map<string, number>();
  for (const photo of photos) {
    let last = performance.now();
    await fn(photo, (stage) => {
      const now = performance.now();
      totals.set(stage, (totals.get(stage) ?? 0) + now - last);
      last = now;
    });
  }
  return new Map([...totals].map(([stage, ms]) => [stage, ms / photos.length]));
}

async function throughput(mask: boolean): Promise<{ perSecond: number; located: CarLocation[] }> {
  const locator = await createCarLocator({ mask });
  try {
    await locator.locate(photos[0]!);
    const start = performance.now();
    const located: CarLocation[] = [];
    for (const photo of photos) located.push(await locator.locate(photo));
    return { perSecond: photos.length / ((performance.now() - start) / 1000), located };
  } finally {
    await locator.dispose();
  }
}

async function main(): Promise<void> {
  const detector = await Detector.load();
  const detectorStages = await stages(async (photo, time) => {
    const prepared = await detector.prepare(photo);
    time('preprocess');
    const output = await detector.infer(prepared);
    time('inference');
    detector.decode(output, prepared);
    time('decode + NMS');
  });
  await detector.dispose();
  const segmenter = await CarSegmenter.load();
  const segmenterStages = await stages(async (photo, time) => {
    const prepared = await segmenter.prepare(photo);
    time('preprocess');
    const logits = await segmenter.infer(prepared);
    time('inference');
    await segmenter.toMask(logits, prepared.source);
    time('argmax + upsample');
  });
  await segmenter.dispose();

  const detectOnly = await throughput(false);
  const withMask = await throughput(true);

  console.log(`${photos.length} photos from ${folder}\n`);
  table(
    ['model', 'stage', 'ms/photo'],
    [
      ...[...detectorStages].map(([stage, ms]) => [detector.manifest.id, stage, ms.toFixed(1)]),
      ...[...segmenterStages].map(([stage, ms]) => [segmenter.manifest.id, stage, ms.toFixed(1)]),
    ],
  );
  console.log();
  const found = withMask.located.filter((l) => l.method === 'detector');
  const boxShare = found.map((l) => (l.box.width * l.box.height) / (l.mask!.width * l.mask!.height));
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  table(
    ['locate()', 'photos/s', 'ms/photo'],
    [
      ['detect only', detectOnly.perSecond.toFixed(2), (1000 / detectOnly.perSecond).toFixed(1)],
      ['detect + mask', withMask.perSecond.toFixed(2), (1000 / withMask.perSecond).toFixed(1)],
    ],
  );
  console.log(
    `\ncar found on ${found.length}/${photos.length}; mean box share of the photo ${(100 * mean(boxShare)).toFixed(1)} %;` +
      ` mean mask share ${(100 * mean(withMask.located.map((l) => maskShare(l.mask!)))).toFixed(1)} %`,
  );
}

await main();
