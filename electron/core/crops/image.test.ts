import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { cropOutputSize, decodePhoto, encodeCrop } from './image';

describe('decodePhoto', () => {
  let path: string;
  beforeAll(async () => {
    // Stored 60 × 40 with EXIF orientation 6 (rotate 90°): upright it is 40 × 60.
    path = join(await mkdtemp(join(tmpdir(), 'carlens-crops-image-')), 'rotated.jpg');
    await sharp({ create: { width: 60, height: 40, channels: 3, background: '#c83' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(path);
  });

  it('uses the upright frame when the annotation has the upright size', async () => {
    expect(await decodePhoto(path, { width: 40, height: 60 })).toMatchObject({ width: 40, height: 60 });
  });

  it('uses the stored frame when only that one has the annotation size', async () => {
    expect(await decodePhoto(path, { width: 60, height: 40 })).toMatchObject({ width: 60, height: 40 });
  });

  it('names the file and both sizes when neither frame matches', async () => {
    await expect(decodePhoto(path, { width: 50, height: 50 })).rejects.toThrow(/rotated\.jpg.*40×60.*50×50/);
  });
});

describe('crop output size', () => {
  it('keeps small regions and scales large ones to a 448 long side', async () => {
    expect(cropOutputSize({ width: 300, height: 120 }, 448)).toEqual({ width: 300, height: 120 });
    expect(cropOutputSize({ width: 1000, height: 500 }, 448)).toEqual({ width: 448, height: 224 });
    const photo = { data: Buffer.alloc(1000 * 600 * 3, 200), width: 1000, height: 600, channels: 3 as const };
    const { jpeg, size } = await encodeCrop(photo, { x: 0, y: 0, width: 1000, height: 500 }, { cropSize: 448, jpegQuality: 95 });
    expect(size).toEqual({ width: 448, height: 224 });
    expect(await sharp(jpeg).metadata()).toMatchObject({ width: 448, height: 224, format: 'jpeg' });
  });
});

describe('transparent photos', () => {
  /** 2×1 pixels: one fully transparent (stored colour black), one opaque red. */
  const withAlpha = (channels: 2 | 4) => {
    const data = channels === 4 ? Buffer.from([0, 0, 0, 0, 255, 0, 0, 255]) : Buffer.from([0, 0, 255, 255]);
    return sharp(data, { raw: { width: 2, height: 1, channels } }).png().toBuffer();
  };

  it('flattens RGBA and grey+alpha onto mid-grey, not black, and keeps opaque pixels', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'carlens-crops-alpha-'));
    for (const channels of [4, 2] as const) {
      const path = join(dir, `alpha${channels}.png`);
      await sharp(await withAlpha(channels)).toFile(path);
      const decoded = await decodePhoto(path, { width: 2, height: 1 });
      const pixels = [...decoded.data];
      expect(decoded.channels).toBe(3);
      expect(pixels).toEqual(channels === 4 ? [128, 128, 128, 255, 0, 0] : [128, 128, 128, 255, 255, 255]);
    }
  });
});
