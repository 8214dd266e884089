import { join } from 'node:path';
import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';
import { ZONES, ZONE_IDS } from '../domain/zones';
import { seededRandom, pick, type Random } from '../fixture/random';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { writeNewGeneration } from '../workspace/generations';
import { writeNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { CropTable } from './crop-table';
import { createFaissIndex, planIndex, type IndexType } from './faiss';
import { selfCheck } from './self-check';
import { faissDescription, writeGeneration, type IndexConfig } from './store';

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

/** 32 hex digits derived from a row and seed: the content hashes real ids and paths carry, without a random draw. */
function rowHex(row: number, seed: number): string {
  return [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f]
    .map((m) => (Math.imul(row + 1, m) ^ Math.imul(seed + 1, 0x165667b1)) >>> 0)
    .map((h) => h.toString(16).padStart(8, '0'))
    .join('');
}

/**
 * Crop records shaped like the pipeline's (~1.5 kB of JSON each, as phase 3 writes them for the shared datasets:
 * long dataset paths, defects with fractional boxes, the phase 2 and 3 fields), with a spread of zones, damage
 * flags and types. Made one at a time from a shared random stream, so a long table need not hold them all.
 */
export function syntheticRecordMaker(seed: number, model = 'synthetic-model'): (row: number) => CropRecord {
  const random = seededRandom(seed ^ 0x5eed);
  const damageTypes = DAMAGE_TYPES.filter((t) => t !== 'unspecified_damage');
  return (i) => {
    const zone = pick(random, ZONE_IDS);
    const hasDamage = random() < 0.35;
    const types: DamageType[] = hasDamage ? [...new Set([pick(random, damageTypes), pick(random, damageTypes)])] : [];
    const bbox = { x: Math.floor(random() * 800), y: Math.floor(random() * 600), width: 224, height: 224 };
    const photo = `photo-${Math.floor(i / 4)}`;
    const hex = rowHex(i, seed);
    const defectBox = (k: number) => ({ x: bbox.x + 17.125 * (k + 1), y: bbox.y + 23.6875 * (k + 1), width: 151.55999999999997, height: 98.09900000000002 });
    return {
      crop_id: `crop-${String(i).padStart(6, '0')}`,
      crop_path: `crops/images/synthetic-claims__${hex.slice(0, 10)}_${i}_jpg.rf.${hex}_${hasDamage ? 'c' : 'g'}${hex.slice(-10)}.jpg`,
      // Several crops per photo, as in the real pipeline.
      source_image: photo,
      source_path: `/data/datasets/synthetic-claims/${hex.slice(0, 10)}_${photo}_jpg.rf.${hex}.jpg`,
      has_damage: hasDamage,
      vehicle_zone: random() < 0.05 ? null : String(zone),
      zone_description: ZONES[zone].description,
      zone_area: ZONES[zone].area,
      crop_type: hasDamage ? 'clustered' : 'grid',
      origin: hasDamage ? 'defect_cluster' : 'undamaged_photo_grid',
      crop_size: [224, 224],
      bbox,
      defects: types.map((damageType, k) => ({ damageType, label: damageType, bbox: defectBox(k) })),
      damage_types: types,
      damage_count: types.length,
      grid_position: hasDamage ? null : { col: i % 5, row: Math.floor(i / 5) % 4, rel_x: 0.3125, rel_y: 0.5416666666666666 },
      car_ratio: hasDamage ? null : 0.8841297238372093,
      car_ratio_method: hasDamage ? null : 'mask',
      car_fallback: false,
      specific_part: `${ZONES[zone].name}: the central area of the photographed panel, between its upper and lower edges`,
      text_description: `${ZONES[zone].name} ${hasDamage ? types.join(', ') : 'clean'}`,
      context_edited: false,
      embedding_index: i,
      embedding_model: model,
      embedding_dim: 704,
      embedding_norm: 1.0000000051342872,
      fusion_strategy: 'concat',
    };
  };
}

export function syntheticRecords(count: number, seed: number, model = 'synthetic-model'): CropRecord[] {
  const make = syntheticRecordMaker(seed, model);
  return Array.from({ length: count }, (_, i) => make(i));
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

/**
 * A live index generation (Flat unless `type` says otherwise) of `count` synthetic crops written straight into the workspace's index folder, with
 * no phase 3 output: phase 3 keeps its metadata as one JSON document, which V8 cannot hold past ~325k real-sized
 * records, so tests and bench/scale.ts reach the index store's own limits this way. The records are made one at a
 * time into the table; the vectors are syntheticVectors(count, dim, seed).
 */
export async function writeSyntheticIndex(
  workspace: string,
  options: { count: number; dim: number; seed: number; model?: string; type?: IndexType },
): Promise<IndexConfig> {
  const { count, dim, seed } = options;
  const model = options.model ?? 'synthetic-model';
  const vectors = syntheticVectors(count, dim, seed);
  const table = CropTable.fromRows(count, syntheticRecordMaker(seed, model), 'synthetic records');
  const plan = planIndex(options.type ?? 'flat', count);
  const index = createFaissIndex(plan, vectors, dim);
  return writeGeneration(workspacePaths(workspace).indexDir, {
    index,
    vectors,
    records: table,
    config: {
      model,
      dim,
      fusion: null,
      index_type: plan.type,
      faiss: faissDescription(plan),
      flat_threshold: plan.type === 'flat' ? count : 0,
      count,
      skipped_rejected: 0,
      self_check: selfCheck(index, vectors, dim),
      created_at: new Date().toISOString(),
      source: 'embeddings',
    },
  });
}
