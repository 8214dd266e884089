/**
 * Region-level inspection on the held-out side of the claim-grouped split, as the app answers a dropped photo,
 * each figure beside its trivial baseline, per source; then drop → answer latency on 1024 px photos.
 *
 *   npx tsx bench/inspection.ts [--workspace DIR] [--max-per-source N] [--latency-only]
 *
 * With a workspace that has an index, each window's neighbours come from training-side crops only.
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '../electron/core/dataset/load';
import { inspectPhoto } from '../electron/core/inspection/inspect';
import { openInspector } from '../electron/core/inspection/parts';
import { defaultSources, mergeDatasets } from '../electron/core/pipeline/sources';
import { percentile } from '../electron/core/learning/binary-metrics';
import { formatInspectionFigures } from '../electron/core/validation/inspection-table';
import { inspectionFigures } from '../electron/core/validation/inspection-figures';

const { values } = parseArgs({ options: { workspace: { type: 'string', default: 'workspace' }, 'max-per-source': { type: 'string' }, 'latency-only': { type: 'boolean', default: false } } });
const sources = defaultSources();
const dataset = mergeDatasets(await Promise.all(sources.map((s) => loadDataset(s.path, s))));
const inspector = await openInspector(values.workspace!);
if (inspector.retrievalUnavailable) console.log(`no neighbours (heads only): ${inspector.retrievalUnavailable}\n`);
if (!values['latency-only']) {
  const started = Date.now();
  const figures = await inspectionFigures({
    photos: dataset.photos,
    parts: inspector,
    maxPhotosPerSource: values['max-per-source'] ? Number(values['max-per-source']) : undefined,
    onProgress: (done, total) => {
      if (done % 50 === 0 || done === total) process.stderr.write(`inspected ${done}/${total}\n`);
    },
  });
  console.log(formatInspectionFigures(figures));
  console.log(`(${Math.round((Date.now() - started) / 1000)} s)\n`);
}

// Latency as the app sees it: 1024 px flickr photos, sessions warm, no filter (one batched search), sequential.
const photos = dataset.photos.filter((p) => p.width >= 1024).slice(0, 30);
await inspectPhoto(photos[0]!.imagePath, inspector);
const times: number[] = [];
const parts = { locate: [] as number[], analyse: [] as number[], embed: [] as number[], search: [] as number[] };
for (const photo of photos) {
  const { timings } = await inspectPhoto(photo.imagePath, inspector);
  times.push(timings.totalMs);
  parts.locate.push(timings.locateMs);
  parts.analyse.push(timings.analyseMs);
  parts.embed.push(timings.embedMs);
  parts.search.push(timings.searchMs);
}
console.log(`| drop → answer + heatmap, ${photos.length} photos of 1024 px | p50 ms | p95 ms |`);
console.log('|---|---|---|');
console.log(`| total | ${percentile(times, 0.5)} | ${percentile(times, 0.95)} |`);
for (const [name, list] of Object.entries(parts)) console.log(`| ${name} | ${percentile(list, 0.5)} | ${percentile(list, 0.95)} |`);
await inspector.dispose();
