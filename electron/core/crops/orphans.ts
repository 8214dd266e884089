import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CROP_IMAGES_DIR } from './photo-crops';

/**
 * Removes crop images that crops.json does not list. Images are written before the metadata that lists them, so a
 * run killed in between leaves some behind (a photo whose crops changed, then vanished from the dataset, would keep
 * them for good); a completed run lists every crop the workspace has, so anything else is an orphan.
 * `listed` holds crop paths relative to the workspace, as crop records give them. Returns the paths removed.
 */
export async function removeUnlistedCropImages(workspace: string, listed: Iterable<string>): Promise<string[]> {
  const keep = new Set(listed);
  let names: string[];
  try {
    names = await readdir(join(workspace, CROP_IMAGES_DIR));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const orphans = names.map((name) => `${CROP_IMAGES_DIR}/${name}`).filter((path) => !keep.has(path));
  await Promise.all(orphans.map((path) => rm(join(workspace, path), { force: true })));
  return orphans;
}
