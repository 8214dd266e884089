/**
 * Trains the damage heads of native-models/damage-heads on the shared datasets (training side of the claim-grouped
 * split only) and writes heads.json beside the manifest. See README.md in this folder for the exact command.
 *
 *   npx tsx native-models/damage-heads/train/train.ts [--out FILE] [--seed N] [--hidden N] [--epochs N]
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '../../../electron/core/dataset/load';
import { createCarLocator } from '../../../electron/core/detector';
import { createFeatureMapExtractor } from '../../../electron/core/learning/feature-maps';
import { readDamageHeadsManifest } from '../../../electron/core/learning/manifest';
import { trainDamageHeads } from '../../../electron/core/learning/train';
import { defaultSources, mergeDatasets } from '../../../electron/core/pipeline/sources';
import { writeJsonAtomic } from '../../../electron/core/workspace/atomic-write';

const { values } = parseArgs({
  options: {
    manifest: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    hidden: { type: 'string', default: '32' },
    epochs: { type: 'string', default: '6' },
  },
});

const manifest = await readDamageHeadsManifest(values.manifest);
const sources = defaultSources();
const dataset = mergeDatasets(await Promise.all(sources.map((s) => loadDataset(s.path, s))));
const extractor = await createFeatureMapExtractor(manifest.id, manifest.backboneSpec, manifest.cellStride);
const locator = await createCarLocator({ mask: false });
const heads = await trainDamageHeads({
  photos: dataset.photos,
  manifest,
  extractor,
  carBox: async (photo) => {
    const location = await locator.locate(photo.imagePath);
    return location.method === 'detector' ? location.box : null;
  },
  seed: Number(values.seed),
  hidden: Number(values.hidden),
  epochs: Number(values.epochs),
  onProgress: (message) => console.log(`train: ${message}`),
});
const out = values.out ?? manifest.weightsPath;
await writeJsonAtomic(out, { ...heads, training: { command: `npx tsx native-models/damage-heads/train/train.ts --seed ${values.seed} --hidden ${values.hidden} --epochs ${values.epochs}`, data: sources.map((s) => s.path.replace(/.*\/shared\//, '../shared/')), ...heads.training } });
console.log(`train: wrote ${out} in ${heads.training.seconds} s`, JSON.stringify(heads.training.calibrationFigures));
await Promise.all([extractor.dispose(), locator.dispose()]);
