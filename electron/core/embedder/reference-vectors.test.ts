import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../models/paths';
import { loadEmbedder } from './embedder';

/**
 * The offline tower's vectors of a few real crops, as sha256 of their float32 bytes, recorded from the
 * implementation before views were copied straight into the tensor: any change to decoding, resizing, patching or
 * normalisation that moves one bit shows here. The crops cover each path of the view preparation: a crop smaller
 * than the input (one resized view), whole 512² photos (global view + 9 patches of exactly the input size), a crop
 * taller than the input on one side only (patches resized), and an encoded PNG with transparency.
 */
const REFERENCE = {
  'small crops, one view': '2feb5cc222b52ef3f1cea7fe702cc8ba2165420746597b39c0a0ffe6314a84c7',
  '512² photos, global + patches': 'b8f731647e2c465521486a443956617d1914d5cb97ff0667c0ea24944b5122e7',
  'wide crop, patches resized': 'fdf0c2064093a27c4cdc3e902938855ed7a33e90f7e622cb89766801b3a88075',
  'transparent PNG': 'ddd7191b9216a53a492f2c3bc585faeea6e89d0a57189b0db97ddd01a2dc8165',
};

const photos = join(sharedDir(), 'datasets', 'car-parts-undamaged');

function hashVectors(vectors: Float32Array[]): string {
  const hash = createHash('sha256');
  for (const v of vectors) hash.update(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  return hash.digest('hex');
}

describe.skipIf(!existsSync(photos))('image vectors of real crops', () => {
  it.each([
    ['on the calling thread', false],
    ['on a worker thread', true],
  ])('are byte-identical to those recorded before the faster view preparation, the tower %s', async (_, imageTowerOnWorker) => {
    const files = ['train1.jpg', 'train10.jpg', 'train100.jpg', 'train101.jpg'].map((f) => join(photos, f));
    const embedder = await loadEmbedder(undefined, { imageTowerOnWorker });
    try {
      const small = await Promise.all(files.map((f, i) => sharp(f).extract({ left: 20 + 31 * i, top: 40, width: 224, height: 200 }).jpeg().toBuffer()));
      const wide = await Promise.all(files.slice(0, 2).map((f) => sharp(f).extract({ left: 0, top: 100, width: 500, height: 150 }).png().toBuffer()));
      const { data, info } = await sharp(files[2]!).extract({ left: 10, top: 10, width: 300, height: 260 }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      for (let i = 3; i < data.length; i += 4 * 7) data[i] = 0;
      const transparent = await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toBuffer();
      const actual = {
        'small crops, one view': hashVectors(await embedder.embedImages(small)),
        '512² photos, global + patches': hashVectors(await embedder.embedImages(files)),
        'wide crop, patches resized': hashVectors(await embedder.embedImages(wide)),
        'transparent PNG': hashVectors(await embedder.embedImages([transparent])),
      };
      expect(actual).toEqual(REFERENCE);
    } finally {
      await embedder.dispose();
    }
  }, 60_000);
});
