import sharp, { type Sharp } from 'sharp';

/**
 * A photo already decoded by its caller (phase 1 decodes each photo once for its crops): upright, 8-bit sRGB,
 * 3 channels, no alpha, no ICC profile, from a JPEG or PNG file: then its pixels are exactly those a model's own
 * sharp pipeline (autoOrient, removeAlpha, toColourspace sRGB) decodes before resizing.
 */
export interface UprightPixels {
  data: Buffer;
  width: number;
  height: number;
  format: 'jpeg' | 'png';
}

/**
 * What a model resizes from: the decoded pixels when resizing them gives the very bytes that resizing from the
 * file gives, else the file as before. From a file, sharp decodes a JPEG at 1/2 or less of its size when the
 * resize shrinks it 3× or more on both axes (shrink-on-load; libvips' exact rule is in sharp's pipeline.cc), and
 * those pixels differ from a full decode resized; a PNG is always decoded whole.
 */
export function resizeSource(image: string | Buffer, pixels: UprightPixels | undefined, target: { width: number; height: number }): Sharp {
  const shrink = pixels ? Math.min(pixels.width / target.width, pixels.height / target.height) : Infinity;
  if (pixels && (pixels.format === 'png' || shrink < 3)) {
    return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 3 } });
  }
  return sharp(image).autoOrient();
}
