import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { readModelManifest } from '../models/manifest-file';
import { NATIVE_MODELS_DIR, requireFile, resolveModelPath } from '../models/paths';
import type { BackboneSpec } from './feature-maps';

const Rgb = z.tuple([z.number(), z.number(), z.number()]);

export const DamageHeadsManifestSchema = z.object({
  id: z.string(),
  kind: z.literal('damage-heads'),
  description: z.string().optional(),
  licence: z.string(),
  backbone: z.object({
    source: z.string(),
    input: z.string(),
    tensors: z.array(z.object({ name: z.string(), stride: z.number().int().positive() })).min(1),
    longSide: z.number().int().positive(),
    channelOrder: z.enum(['RGB', 'BGR']),
    scale: z.number().positive(),
    mean: Rgb,
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  /** Input pixels per cell of the feature grid the heads read. */
  cellStride: z.number().int().positive(),
  /** Each cell also carries the mean of its (2r+1)² neighbourhood: damage is judged with its surroundings. */
  neighbourhood: z.number().int().min(0),
  /** The trained heads (JSON, written by the training script); relative to the manifest. */
  weights: z.string(),
});

export type DamageHeadsManifest = z.infer<typeof DamageHeadsManifestSchema> & {
  path: string;
  backboneSpec: BackboneSpec;
  /** Absolute path of the weights file (it may not exist yet: the training script writes it). */
  weightsPath: string;
};

export const DEFAULT_DAMAGE_HEADS_MANIFEST = resolve(NATIVE_MODELS_DIR, 'damage-heads', 'manifest.json');

export async function readDamageHeadsManifest(path: string = DEFAULT_DAMAGE_HEADS_MANIFEST): Promise<DamageHeadsManifest> {
  const absolute = resolve(path);
  const manifest = await readModelManifest(absolute, DamageHeadsManifestSchema);
  const dir = dirname(absolute);
  const { source, ...rest } = manifest.backbone;
  return {
    ...manifest,
    path: absolute,
    backboneSpec: { ...rest, sourcePath: requireFile(resolveModelPath(source, dir), `backbone named by ${absolute}`) },
    weightsPath: resolveModelPath(manifest.weights, dir),
  };
}
