import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Photo } from '../dataset/model';
import { photoFileHash } from './crop-id';
import { decodePhoto, type DecodedPhoto } from './image';
import { damageShapes } from './photo-crops';

/** What phase 1 knows of a photo before cropping it. */
export interface PhotoPlan {
  /** sha256 of the photo file (the base of its crop ids). */
  fileHash: string;
  /** sha256 of everything that decides its crops (see inputHash). */
  hash: string;
  upToDate: boolean;
  /** Its decode, started when its crops must be redone and need pixels (rejections are seen when it is awaited). */
  decoded: Promise<DecodedPhoto> | null;
}

/**
 * Hashes a photo and, when its crops must be redone, starts decoding it: phase 1 plans the next photo while the
 * car locator's models run on the current one, so the decode (on sharp's threads) overlaps them.
 */
export async function planPhoto(photo: Photo, configKey: string, isUpToDate: (hash: string) => boolean): Promise<PhotoPlan> {
  const fileHash = await photoFileHash(photo.imagePath);
  const hash = await inputHash(photo, fileHash, configKey);
  const upToDate = isUpToDate(hash);
  // A damaged photo without a damage shape gives no crop: nothing to decode.
  if (upToDate || (photo.state === 'damaged' && damageShapes(photo).length === 0)) return { fileHash, hash, upToDate, decoded: null };
  const decoded = decodePhoto(photo.imagePath, photo);
  decoded.catch(() => {});
  return { fileHash, hash, upToDate, decoded };
}

/**
 * What decides a photo's crops: the image bytes (their sha256, also the base of the crop ids), its annotation files' bytes, the crop config (clean-window
 * settings included, and whether a locator was there to place them), and what the loader derived from outside
 * the annotation (state, zone from a zone table, damage types from a label map), so changing a label map or a zone
 * table also redoes the photo.
 */
async function inputHash(photo: Photo, fileHash: string, configKey: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(fileHash);
  for (const file of [...photo.annotationFiles].sort()) {
    hash.update(file);
    hash.update(await readFile(file));
  }
  // Shapes from no file of the photo's own (a COCO file, shared by every photo) count by their points instead:
  // that file's bytes would redo every photo on any edit of it.
  if (photo.annotationFiles.length === 0 && photo.shapes.length > 0) hash.update(JSON.stringify(photo.shapes.map((s) => [s.label, s.points])));
  hash.update(configKey);
  hash.update(
    JSON.stringify({ state: photo.state, zone: photo.zone, types: photo.shapes.map((s) => s.damageType) }),
  );
  return hash.digest('hex');
}
