import { z } from 'zod';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { readJsonFile } from '../workspace/json-file';
import type { CropRecord } from './crop-record';

export type PhotoCropStatus = 'done' | 'no_crops' | 'failed';

export interface PhotoCropEntry {
  id: string;
  /** Relative to the dataset root. */
  file: string;
  /** Absolute path of the photo. */
  path: string;
  state: 'damaged' | 'undamaged';
  status: PhotoCropStatus;
  /** Number of crops written for the photo. */
  crops: number;
  error?: string;
  /** What the car locator returned: undamaged photos, and damaged photos it was run on for clean windows. */
  car?: { method: 'detector' | 'fallback_center'; score: number; className: string | null };
  /** sha256 of the inputs that decide the photo's crops; equal hash and files present → up to date. */
  input_hash: string;
}

export interface CropsMetadata {
  version: 1;
  /** Absolute path of the dataset the crops come from. */
  dataset: string;
  generated_at: string;
  crops: CropRecord[];
  photos: PhotoCropEntry[];
}

// Only what the re-run logic relies on is checked; records are passed through as written.
const MetadataSchema = z.object({
  version: z.literal(1),
  dataset: z.string(),
  generated_at: z.string(),
  crops: z.array(z.looseObject({ crop_id: z.string(), crop_path: z.string(), source_image: z.string() })),
  photos: z.array(
    z.looseObject({
      id: z.string(),
      file: z.string(),
      path: z.string(),
      state: z.enum(['damaged', 'undamaged']),
      status: z.enum(['done', 'no_crops', 'failed']),
      crops: z.number(),
      input_hash: z.string(),
    }),
  ),
});

/** The previous metadata; null when there is none. Throws, naming the file, when it is not valid. */
export async function readCropsMetadata(path: string): Promise<CropsMetadata | null> {
  return (await readJsonFile(path, MetadataSchema, 'crops metadata')) as unknown as CropsMetadata | null;
}

export async function writeCropsMetadata(path: string, metadata: CropsMetadata): Promise<void> {
  await writeJsonAtomic(path, metadata);
}
