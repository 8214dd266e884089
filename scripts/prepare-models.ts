/**
 * Builds every derived image tower named by the embedder manifests in native-models/ (or the ones given) into the
 * model cache, so that a first run needs no preparation. Reproducible: the derived file is a pure function of the
 * source network's bytes and the manifest's recipe (the cache key hashes both). The app does the same lazily.
 *   npx tsx scripts/prepare-models.ts [--cache DIR] [manifest.json ...]
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { derivedTowerPath, MODEL_CACHE_DIR } from '../electron/core/embedder/derive-tower';
import { readEmbedderManifest } from '../electron/core/embedder/manifest';
import { NATIVE_MODELS_DIR } from '../electron/core/models/paths';

const { values, positionals } = parseArgs({ options: { cache: { type: 'string' } }, allowPositionals: true });
const cacheDir = values.cache ?? MODEL_CACHE_DIR;

async function embedderManifests(): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(NATIVE_MODELS_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(NATIVE_MODELS_DIR, entry.name, 'manifest.json');
    const json = await import(path, { with: { type: 'json' } }).catch(() => null);
    if (json?.default?.kind === 'embedder') found.push(path);
  }
  return found;
}

const manifests = positionals.length ? positionals : await embedderManifests();
for (const path of manifests) {
  const manifest = await readEmbedderManifest(path);
  if (!manifest.image.derive) {
    console.log(`${manifest.id}: ready-made image tower ${manifest.files.image}, nothing to prepare`);
    continue;
  }
  const started = performance.now();
  const tower = await derivedTowerPath(manifest.id, manifest.files.deriveSource!, manifest.image.derive, cacheDir);
  const { size } = await stat(tower);
  console.log(`${manifest.id}: ${tower} (${(size / 1e6).toFixed(1)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s) from ${manifest.files.deriveSource} [${manifest.image.derive.tensors.join(', ')}; ${manifest.image.derive.pooling.join('+')} pooling]`);
}
