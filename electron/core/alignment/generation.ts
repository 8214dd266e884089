import { fitTextImageMap, TooFewTrainingCrops, type AlignmentFit, type AlignmentRecord } from './map';
import { writeAlignment } from './store';

/**
 * Phase 3's last step for a model whose towers are not aligned: fits the text → image map on the training claims'
 * crops of this generation and writes it beside the vectors. Returns null, writing nothing, when too few training
 * crops have a context to fit on.
 */
export async function alignGeneration(
  dir: string,
  model: string,
  records: readonly AlignmentRecord[],
  image: { data: Float32Array; cols: number },
  text: { data: Float32Array; cols: number },
): Promise<AlignmentFit | null> {
  let fit: AlignmentFit;
  try {
    fit = fitTextImageMap(records, { ...image, rows: records.length }, { ...text, rows: records.length });
  } catch (error) {
    if (error instanceof TooFewTrainingCrops) return null;
    throw error;
  }
  await writeAlignment(dir, model, fit);
  return fit;
}
