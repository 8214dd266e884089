import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BBox } from '../dataset/model';
import type { CropOrigin } from './crop-record';

/** The letter after the photo id: c clustered crop, g grid crop of an undamaged photo, w clean window. */
export const ORIGIN_LETTERS: Record<CropOrigin, string> = {
  defect_cluster: 'c',
  undamaged_photo_grid: 'g',
  damaged_photo_clean_window: 'w',
};

/** sha256 (hex) of a photo file's bytes: what its crop ids are derived from. */
export async function photoFileHash(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * A crop's id from what it is, not from where it came in a list: `<photo id>_<origin letter><10 hex>`, the hex
 * being the start of sha256(`<photo file sha256>|x,y,w,h|<origin>`). Re-cropping an unchanged photo gives the
 * same ids whatever happens to other photos or to the order of its clusters; a crop whose box changed gets a new
 * one, so a review decision is never carried to another region. `taken` (ids already given on the photo) makes
 * the rare equal box of two crops of one photo distinct with a `_2`, `_3` suffix.
 */
export function stableCropId(photoId: string, photoHash: string, bbox: BBox, origin: CropOrigin, taken?: Set<string>): string {
  const key = `${photoHash}|${bbox.x},${bbox.y},${bbox.width},${bbox.height}|${origin}`;
  const base = `${photoId}_${ORIGIN_LETTERS[origin]}${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
  let id = base;
  for (let n = 2; taken?.has(id); n++) id = `${base}_${n}`;
  taken?.add(id);
  return id;
}
