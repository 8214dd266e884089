import { basename } from 'node:path';
import type { CropRecord } from '../crops/crop-record';
import { groupPosition, splitPhotos } from '../split/split';

export type AlignmentPart = 'fit' | 'validation' | 'heldout';

/** Share of the training claims kept aside to choose the regularisation (and the offset) on. */
export const VALIDATION_SHARE = 0.25;

type PhotoFields = Pick<CropRecord, 'source_image' | 'source_path'>;

/**
 * Each crop's part, by the claim of its photo: the same claim-grouped split as the inspection work (held-out
 * claims are never fitted on), the training claims cut again by claim into "fit" and "validation". The split is
 * computed over the photos these crops come from, which is every photo of a workspace whose crops all embedded.
 */
export function alignmentParts(records: readonly PhotoFields[]): AlignmentPart[] {
  const photos = new Map<string, string>();
  for (const r of records) if (!photos.has(r.source_image)) photos.set(r.source_image, basename(r.source_path));
  const assignments = splitPhotos([...photos].map(([id, fileName]) => ({ id, fileName })));
  const partOf = new Map<string, AlignmentPart>(
    assignments.map((a) => [
      a.photoId,
      a.side === 'heldout' ? 'heldout' : groupPosition(`${a.group}#alignment`) < VALIDATION_SHARE ? 'validation' : 'fit',
    ]),
  );
  return records.map((r) => partOf.get(r.source_image)!);
}

/** Row numbers of one part. */
export function rowsOf(parts: readonly AlignmentPart[], part: AlignmentPart): number[] {
  return parts.flatMap((p, i) => (p === part ? [i] : []));
}
