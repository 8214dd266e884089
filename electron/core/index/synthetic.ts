import { join } from 'node:path';
import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';
import { ZONES, ZONE_IDS } from '../domain/zones';
import { seededRandom, pick, type Random } from '../fixture/random';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { writeNewGeneration } from '../workspace/generations';
import { writeNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';

/**
 * Phase 3 output with known contents, for tests and bench/index.ts: unit vectors around a number of cluster
 * centres (real crop embeddings cluster by photo and part; uniform noise would make ANN recall look worse
 * than it is) and crop records with a spread of zones, damage flags and types.
 */

function gaussian(random: Random): number {
  // Box-Muller; 1 - random() keeps the log argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function syntheticVectors(count: number, dim: number, seed: number, clusters = 64): Float32Array {
  const random = seededRandom(seed);
  const centres = new Float32Array(clusters * dim).map(() => gaussian(random));
  const out = new Float32Array(count * dim);
  for (let row = 0; row < count; row++) {
    const c = Math.floor(random() * clusters);
    let sum = 0;
    for (let i = 0; i < dim; i++) {
      const v = centres[c * dim + i]! + 0.8 * gaussian(random);
      out[row * dim + i] = v;
      sum += v * v;
    }
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < dim; i++) out[row * dim + i]! *= inv;
  }
  return out;
}

export function syntheticRecords(count: number, seed: number, model = 'synthetic-model'): CropRecord[] {
  const random = seededRandom(seed ^ 0x5eed);
  const damageTypes = DAMAGE_TYPES.filter((t) => t !== 'unspecified_damage');
  return Array.from({ length: count }, (_, i): CropRecord => {
    const zone = pick(random, ZONE_IDS);
    const hasDamage = random() < 0.35;
    const types: DamageType[] = hasDamage ? [...new Set([pick(random, damageTypes), pick(random, damageTypes)])] : [];
    const bbox = { x: Math.floor(random() * 800), y: Math.floor(random() * 600), width: 224, height: 224 };
    return {
      crop_id: `crop-${String(i).padStart(6, '0')}`,
      crop_path: `crops/crop-${i}.jpg`,
      // Several crops per photo, as in the real pipeline.
      source_image: `photo-${Math.floor(i / 4)}`,
      source_path: `/data/photo-${Math.floor(i / 4)}.jpg`,
      has_damage: hasDamage,
      vehicle_zone: random() < 0.05 ? null : String(zone),
      zone_description: ZONES[zone].description,
      zone_area: ZONES[zone].area,
      crop_type: hasDamage ? 'clustered' : 'grid',
      origin: hasDamage ? 'defect_cluster' : 'undamaged_photo_grid',
      crop_size: [224, 224],
      bbox,
      defects: types.map((damageType) => ({ damageType, label: damageType, bbox })),
      damage_types: types,
      damage_count: types.length,
      grid_position: null,
      car_ratio: null,
      car_ratio_method: null,
      car_fallback: false,
      text_description: `${ZONES[zone].name} ${hasDamage ? types.join(', ') : 'clean'}`,
      embedding_index: i,
      embedding_model: model,
    };
  });
}

/** Writes embeddings.npy, metadata.json and generation_info.json where phase 3 would: a new live generation. */
export async function writeSyntheticEmbeddings(
  workspace: string,
  options: { count: number; dim: number; seed: number; model?: string; rejected?: number[] },
): Promise<{ vectors: Float32Array; records: CropRecord[] }> {
  const model = options.model ?? 'synthetic-model';
  const vectors = syntheticVectors(options.count, options.dim, options.seed);
  const records = syntheticRecords(options.count, options.seed, model);
  for (const i of options.rejected ?? []) records[i]!.rejected = true;
  await writeNewGeneration(workspacePaths(workspace).embeddingsDir, async (dir) => {
    await writeNpy(join(dir, 'embeddings.npy'), vectors, [options.count, options.dim]);
    await writeJsonAtomic(join(dir, 'metadata.json'), { version: 1, crops: records });
    await writeJsonAtomic(join(dir, 'generation_info.json'), { model, dim: options.dim, fusion: 'average' });
  });
  return { vectors, records };
}
