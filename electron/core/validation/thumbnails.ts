import { join } from 'node:path';
import sharp from 'sharp';

export const THUMBNAIL_SIZE = 96;

/**
 * A small JPEG data URI of a crop file (path relative to the workspace), or null when the file cannot be read:
 * the report still shows the crop's figures, and says the image is missing, rather than failing.
 */
export async function thumbnailDataUri(workspace: string, cropPath: string): Promise<string | null> {
  try {
    const jpeg = await sharp(join(workspace, cropPath))
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'cover' })
      .jpeg({ quality: 70 })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return null;
  }
}
