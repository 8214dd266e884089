/** Generated photos and annotations for the bad-input corpus tests (nothing here reads real data). */
import sharp from 'sharp';

/** A textured JPEG: flat colours compress so well that truncating them may cut nothing but padding. */
export async function photo(width = 320, height = 240): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919 + (i >> 5) * 31) % 251;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/**
 * A whole JPEG whose entropy-coded data is damaged mid-stream: stray restart markers (0xFF 0xD3) where Huffman codes
 * should be. libjpeg decodes it to the end with only a "Corrupt JPEG data" warning, filling the blocks it lost.
 */
export async function corruptJpeg(): Promise<Buffer> {
  const jpeg = Buffer.from(await photo());
  const scan = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const data = scan + 2 + jpeg.readUInt16BE(scan + 2);
  const at = data + Math.floor((jpeg.length - data) * 0.4);
  for (let i = 0; i < 64; i++) jpeg[at + i] = i % 2 ? 0xd3 : 0xff;
  return jpeg;
}

export function labelme(shapes: { label: string; points: number[][]; shape_type?: string }[], width = 320, height = 240, imagePath = 'x.jpg'): string {
  return JSON.stringify({
    version: '5.2.1',
    flags: {},
    shapes: shapes.map((s) => ({ group_id: null, shape_type: 'polygon', flags: {}, ...s })),
    imagePath,
    imageData: null,
    imageWidth: width,
    imageHeight: height,
  });
}

export const square = (x: number, y: number, s = 20): number[][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

/** A polygon of `count` points on a circle, like an over-sampled traced contour; ≥ ~125k points overflowed `Math.min(...xs)`. */
export function densePolygon(cx: number, cy: number, r: number, count: number): number[][] {
  return Array.from({ length: count }, (_, i) => {
    const a = (i / count) * 2 * Math.PI;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
}
