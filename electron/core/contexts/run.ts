import sharp from 'sharp';
import type { CropRecord } from '../crops/crop-record';
import { readCropsMetadata } from '../crops/metadata';
import { loadClipTokenizer, type ClipTokenizer } from '../text/clip-tokenizer';
import { applyJournal, readJournal } from '../review/journal';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { withWorkspaceLock } from '../workspace/lock';
import { recordPhaseOutcome } from '../workspace/phase-record';
import { workspacePaths } from '../workspace/workspace';
import { describeCrop } from './describe';
import type { PhotoSize } from './parts';

export interface ContextsProgress {
  phase: 'contexts';
  done: number;
  total: number;
  /** crop_id of the crop just described. */
  current: string | null;
}

export interface RunContextsOptions {
  workspace: string;
  /** Counts tokens for the length budget; omitted: the shared CLIP tokenizer. */
  tokenizer?: ClipTokenizer;
  /**
   * Display size (after EXIF orientation) per source_image, e.g. from a loaded Dataset's photos; a photo not
   * listed is measured from its file header.
   */
  photoSizes?: ReadonlyMap<string, PhotoSize>;
  onProgress?: (progress: ContextsProgress) => void;
  signal?: AbortSignal;
}

export interface ContextsFile {
  version: 1;
  generated_at: string;
  crops: CropRecord[];
}

export interface ContextsResult {
  /** Every crop of phase 1, with specific_part and text_description where they could be made. */
  crops: CropRecord[];
  /** Generated texts that were shortened to fit the context length. */
  shortened: number;
  /** Crops whose text is a hand-written override. */
  edited: number;
  /** Crops left without a text because their photo could not be read (its size places the crop). */
  failures: { crop_id: string; file: string; message: string }[];
  path: string;
}

/** Size as displayed, i.e. after EXIF orientation, the frame phase 1 measured boxes in. */
async function photoSize(path: string): Promise<PhotoSize> {
  const { autoOrient } = await sharp(path).metadata();
  return { width: autoOrient.width, height: autoOrient.height };
}

/**
 * Phase 2: a context text for every crop of phase 1, the review journal's hand-written texts and rejections applied, written to
 * `contexts/contexts.json` in one atomic write. Texts are rebuilt from crops.json every run, so they always
 * match the current crops.
 */
export function runContexts(options: RunContextsOptions): Promise<ContextsResult> {
  return withWorkspaceLock(options.workspace, 'phase 2 (contexts)', () => describeWorkspace(options));
}

async function describeWorkspace(options: RunContextsOptions): Promise<ContextsResult> {
  const { workspace, onProgress, signal } = options;
  const paths = workspacePaths(workspace);
  const metadata = await readCropsMetadata(paths.cropsMetadata);
  if (!metadata) throw new Error(`${paths.cropsMetadata} not found: run crops first`);
  // Hand-written contexts and rejections come from the review journal, by stable crop id.
  const journal = await readJournal(workspace);
  const overrides = journal.contexts;
  const tokenizer = options.tokenizer ?? (await loadClipTokenizer());

  const sizes = new Map<string, Promise<PhotoSize>>();
  const crops: CropRecord[] = [];
  const failures: ContextsResult['failures'] = [];
  let shortened = 0;
  let edited = 0;
  for (const [i, crop] of metadata.crops.entries()) {
    signal?.throwIfAborted();
    const known = options.photoSizes?.get(crop.source_image);
    let size = known ? Promise.resolve(known) : sizes.get(crop.source_path);
    if (!size) sizes.set(crop.source_path, (size = photoSize(crop.source_path)));
    // Fields of an earlier phase 2 never carry over: the record is rebuilt from phase 1's.
    const { specific_part: _part, text_description: _text, context_edited: _edited, ...base } = crop;
    try {
      const context = describeCrop(crop, await size, tokenizer);
      const override = overrides[crop.crop_id];
      if (context.shortened && !override) shortened++;
      if (override) edited++;
      crops.push({
        ...base,
        specific_part: context.specific_part,
        text_description: override ? override.text : context.text_description,
        context_edited: Boolean(override),
      });
    } catch (error) {
      failures.push({ crop_id: crop.crop_id, file: crop.source_path, message: (error as Error).message });
      crops.push(base);
    }
    onProgress?.({ phase: 'contexts', done: i + 1, total: metadata.crops.length, current: crop.crop_id });
  }
  const file: ContextsFile = { version: 1, generated_at: new Date().toISOString(), crops: applyJournal(crops, journal).crops };
  await writeJsonAtomic(paths.contexts, file);
  await recordPhaseOutcome(workspace, 'contexts', { records: file.crops, counts: { crops: file.crops.length, failures: failures.length } });
  return { crops: file.crops, shortened, edited, failures, path: paths.contexts };
}
