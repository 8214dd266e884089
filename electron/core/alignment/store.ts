import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { readJsonFile } from '../workspace/json-file';
import { readNpy, writeNpy } from '../workspace/npy';
import { type AlignmentFit, type TextImageMap } from './map';

/** Beside phase 3's vectors: the map's numbers (row 0 the offset, then the weights) and what it is. */
export const ALIGNMENT_FILES = { weights: 'text_image_map.npy', info: 'text_image_map.json' } as const;

/**
 * Share of a text query's score that comes from pixels (the mapped text against the crops' image vectors); the
 * rest comes from the contexts. Contexts stay in the lead because they carry the labels; the pixel share orders
 * crops whose contexts tie and ranks crops that have none.
 */
export const PIXEL_WEIGHT = 0.25;

const InfoSchema = z.object({
  version: z.literal(1),
  model: z.string(),
  text_dim: z.number().int().positive(),
  image_dim: z.number().int().positive(),
  lambda: z.number().positive(),
  offset_mode: z.enum(['mean', 'centred']),
  pixel_weight: z.number().min(0).max(1),
  parts: z.object({ fit: z.number(), validation: z.number(), heldout: z.number() }),
  fitted_on: z.number().int().nonnegative(),
  selection: z.array(z.object({ lambda: z.number(), offsetMode: z.enum(['mean', 'centred']), typeP5: z.number().nullable(), hasDamageP5: z.number().nullable() })).nullable(),
});
export type AlignmentInfo = z.infer<typeof InfoSchema>;

export interface StoredAlignment {
  map: TextImageMap;
  info: AlignmentInfo;
}

/** Writes the fitted map into a phase 3 generation folder (atomically, file by file, before the folder goes live). */
export async function writeAlignment(dir: string, model: string, fit: AlignmentFit): Promise<void> {
  const { map } = fit;
  const matrix = new Float32Array((map.textDim + 1) * map.imageDim);
  matrix.set(map.offset, 0);
  matrix.set(map.weights, map.imageDim);
  await writeNpy(join(dir, ALIGNMENT_FILES.weights), matrix, [map.textDim + 1, map.imageDim]);
  const info: AlignmentInfo = {
    version: 1,
    model,
    text_dim: map.textDim,
    image_dim: map.imageDim,
    lambda: map.lambda,
    offset_mode: map.offsetMode,
    pixel_weight: PIXEL_WEIGHT,
    parts: fit.parts,
    fitted_on: fit.fittedOn.length,
    selection: fit.selection,
  };
  await writeJsonAtomic(join(dir, ALIGNMENT_FILES.info), info);
}

/** The map stored in a phase 3 generation folder, or null when it has none (an aligned model, or an older output). */
export async function readAlignment(dir: string): Promise<StoredAlignment | null> {
  const infoPath = join(dir, ALIGNMENT_FILES.info);
  const weightsPath = join(dir, ALIGNMENT_FILES.weights);
  if (!existsSync(infoPath)) return null;
  const info = await readJsonFile(infoPath, InfoSchema, 'text ↔ image alignment');
  if (!info) return null;
  if (!existsSync(weightsPath)) throw new Error(`${weightsPath}: missing beside ${ALIGNMENT_FILES.info} (re-run phase 3)`);
  const npy = await readNpy(weightsPath);
  const [rows, cols] = npy.shape;
  if (rows !== info.text_dim + 1 || cols !== info.image_dim) {
    throw new Error(`${weightsPath}: ${rows} × ${cols} values, ${ALIGNMENT_FILES.info} says ${info.text_dim + 1} × ${info.image_dim} (re-run phase 3)`);
  }
  const map: TextImageMap = {
    textDim: info.text_dim,
    imageDim: info.image_dim,
    offset: npy.data.slice(0, info.image_dim),
    weights: npy.data.slice(info.image_dim),
    lambda: info.lambda,
    offsetMode: info.offset_mode,
  };
  return { map, info };
}
