import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadImageError, storeQueryImage } from './query-image';

let workspace: string;
let photo: Buffer;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'carlens-query-'));
  // Noise, so the compressed data is long enough to cut and to corrupt in the middle.
  const noise = Buffer.from(Array.from({ length: 320 * 240 * 3 }, (_, i) => (i * 7919) % 251));
  photo = await sharp(noise, { raw: { width: 320, height: 240, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

const kept = () => readdir(join(workspace, 'queries')).catch(() => [] as string[]);

describe('storeQueryImage', () => {
  it('refuses bad drops in plain words and keeps none of them', async () => {
    const corrupt = Buffer.from(photo);
    // 0xFF bytes in the middle of the entropy-coded data read as a broken marker: libjpeg only warns and fills grey.
    corrupt.fill(0xff, Math.floor(corrupt.length / 2), Math.floor(corrupt.length / 2) + 200);
    for (const [bytes, name, message] of [
      [Buffer.alloc(0), 'empty.jpg', /^the dropped file empty\.jpg is empty \(0 bytes\): drop a photo/],
      [Buffer.from('notes, not a photo'), 'notes.jpg', /^the dropped file notes\.jpg is not a photo CarLens can read: expected JPEG/],
      [photo.subarray(0, Math.floor(photo.length / 2)), 'cut.jpg', /^the dropped file cut\.jpg is incomplete: its picture data ends before the last pixel .*; it was not kept: drop an intact copy of the photo$/],
      [corrupt, 'grey.jpg', /^the dropped file grey\.jpg has damaged picture data .*; it was not kept/],
    ] as const) {
      const stored = storeQueryImage(workspace, bytes, name);
      await expect(stored).rejects.toBeInstanceOf(BadImageError);
      await expect(stored).rejects.toThrow(message);
      // No internal detail: neither a folder of this machine nor libvips' own words.
      await expect(stored).rejects.not.toThrow(/\/|vips|jpeg image/i);
    }
    expect(await kept()).toEqual([]);
  });

  it('keeps a whole photo under its hash, once', async () => {
    const path = await storeQueryImage(workspace, photo, 'door.jpg');
    expect(path).toMatch(/queries\/[0-9a-f]{16}\.jpg$/);
    expect(await readFile(path)).toEqual(photo);
    expect(await storeQueryImage(workspace, photo, 'again.jpg')).toBe(path);
    expect(await kept()).toHaveLength(1);
  });
});
