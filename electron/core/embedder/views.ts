import type { EmbedderManifest } from './manifest';
import { extractPatch, normalise, normaliseWindow, patchOrigins, resizeForTower, type RawImage } from './preprocess';

type Tower = Pick<EmbedderManifest['image'], 'width' | 'height' | 'resize' | 'channelOrder' | 'scale' | 'mean' | 'std'>;

/** An image's views as the tower takes them: `count` CHW float images, the global view first, then the patches. */
export interface PreparedViews {
  tensor: Float32Array;
  count: number;
}

/**
 * The global view of a decoded image (fitted to the input), then, when `patchStride` is set and the image is larger
 * than the input, its patches every `patchStride` pixels, each written into one tensor. A patch of exactly the
 * input's size is copied from the decoded pixels (resizing it would return it unchanged); a patch smaller than the
 * input on one side (an image larger on the other side only) is resized as the global view is.
 */
export async function prepareViews(raw: RawImage, tower: Tower, patchStride: number | null): Promise<PreparedViews> {
  const origins: { left: number; top: number }[] = [];
  const larger = raw.width > tower.width || raw.height > tower.height;
  const pw = Math.min(tower.width, raw.width);
  const ph = Math.min(tower.height, raw.height);
  if (patchStride !== null && larger) {
    for (const top of patchOrigins(raw.height, ph, patchStride)) {
      for (const left of patchOrigins(raw.width, pw, patchStride)) origins.push({ left, top });
    }
  }
  const size = 3 * tower.width * tower.height;
  const tensor = new Float32Array((1 + origins.length) * size);
  const exact = pw === tower.width && ph === tower.height;
  // The resampled views are started together: sharp runs them on its own threads while patches are copied here.
  const resized = Promise.all([
    resizeForTower(raw, tower),
    ...(exact ? [] : origins.map(async ({ left, top }) => resizeForTower(await extractPatch(raw, left, top, pw, ph), tower))),
  ]);
  if (exact) origins.forEach(({ left, top }, i) => normaliseWindow(raw, left, top, tower, tensor, (1 + i) * size));
  (await resized).forEach((pixels, i) => normalise(pixels, tower, tensor, i * size));
  return { tensor, count: 1 + origins.length };
}
