import sharp from 'sharp';

/** The photo's size once its EXIF orientation is applied: the frame every detector output is given in. */
export async function uprightSize(image: string | Buffer): Promise<{ width: number; height: number }> {
  const meta = await sharp(image).metadata();
  const upright = meta.autoOrient ?? meta;
  return { width: upright.width!, height: upright.height! };
}
