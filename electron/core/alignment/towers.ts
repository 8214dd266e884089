import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import type { Fusion } from '../embedder/fusion';
import { GenerationInfoSchema } from '../embedder/generation-info';
import { TOWER_FILES } from '../embedder/run';
import { liveGenerationDir } from '../workspace/generations';
import { readJsonFile } from '../workspace/json-file';
import { readNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { readAlignment, type StoredAlignment } from './store';

/** Phase 3's tower vectors, row for row with its metadata, how it fused them and, for unaligned towers, its map. */
export interface Towers {
  source: string;
  model: string;
  aligned: boolean;
  fusion: Fusion;
  records: CropRecord[];
  image: Float32Array;
  imageDim: number;
  /** Zero rows for crops that had no text. */
  text: Float32Array;
  textDim: number;
  /** The text → image map phase 3 fitted (unaligned towers); null for an aligned model or an older output. */
  alignment: StoredAlignment | null;
}

// Crop records are checked where the index is built; here only their presence matters.
const Metadata = z.object({ crops: z.array(z.custom<CropRecord>((c) => typeof c === 'object' && c !== null)) });

/** The live phase 3 output's tower files, or null when that output predates them. */
export async function readTowers(workspace: string): Promise<Towers | null> {
  const dir = liveGenerationDir(workspacePaths(workspace).embeddingsDir);
  const imagePath = join(dir, TOWER_FILES.image);
  const textPath = join(dir, TOWER_FILES.text);
  if (!existsSync(imagePath) || !existsSync(textPath)) return null;
  const info = await readJsonFile(join(dir, 'generation_info.json'), GenerationInfoSchema, 'phase 3 generation info');
  const metadata = await readJsonFile(join(dir, 'metadata.json'), Metadata, 'phase 3 metadata');
  if (!info || !metadata) throw new Error(`${dir}: tower files without generation_info.json and metadata.json (re-run phase 3)`);
  const image = await readNpy(imagePath);
  const text = await readNpy(textPath);
  const rows = metadata.crops.length;
  for (const [path, npy] of [[imagePath, image], [textPath, text]] as const) {
    if (npy.shape[0] !== rows) throw new Error(`${path}: ${npy.shape[0]} rows, metadata.json has ${rows} crops (re-run phase 3)`);
  }
  return {
    source: dir,
    model: info.model,
    aligned: info.aligned,
    fusion: { strategy: info.fusion, alpha: info.alpha, beta: info.beta },
    records: metadata.crops,
    image: image.data,
    imageDim: image.shape[1]!,
    text: text.data,
    textDim: text.shape[1]!,
    alignment: info.aligned ? null : await readAlignment(dir),
  };
}
