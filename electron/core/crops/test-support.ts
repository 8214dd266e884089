import sharp from 'sharp';
import type { BBox } from '../dataset/model';

/**
 * Mean absolute difference (0-255) between a crop file and the same source region cut and resized
 * independently of the crop code. A padded or shifted crop differs by tens; JPEG alone by about one.
 */
export async function cropPixelDiff(cropFile: string, sourceFile: string, region: BBox): Promise<number> {
  const crop = await sharp(cropFile).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const reference = await sharp(sourceFile)
    .autoOrient()
    .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
    .resize(crop.info.width, crop.info.height, { kernel: 'lanczos3', fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer();
  const a = crop.data;
  if (a.length !== reference.length) throw new Error(`channel mismatch: ${a.length} vs ${reference.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - reference[i]!);
  return sum / a.length;
}

/** True when a crop's outer rows or columns are one flat colour (the mark of letterbox padding). */
export async function hasUniformBorder(cropFile: string, depth = 3): Promise<boolean> {
  const { data, info } = await sharp(cropFile).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const strip = (x0: number, y0: number, w: number, h: number): boolean => {
    let min = 255;
    let max = 0;
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) {
        for (let c = 0; c < channels; c++) {
          const v = data[(y * width + x) * channels + c]!;
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    return max - min <= 2;
  };
  const d = Math.min(depth, width, height);
  return strip(0, 0, width, d) || strip(0, height - d, width, d) || strip(0, 0, d, height) || strip(width - d, 0, d, height);
}
