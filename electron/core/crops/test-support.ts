import sharp from 'sharp';
import type { BBox, Point } from '../dataset/model';

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

/**
 * Distance from a polygon to a window, found independently of polygonRectDistance: the least distance from points
 * every `step` px along the outline (closing edge included), 0 when the window centre is inside the polygon
 * (winding number, which agrees with even-odd on simple polygons). Sampling can only overestimate the true
 * distance, by at most step / 2, so a window closer than a clearance by more than that is caught.
 */
export function sampledPolygonRectDistance(polygon: readonly Point[], rect: BBox, step = 0.1): number {
  const centre: Point = [rect.x + rect.width / 2, rect.y + rect.height / 2];
  if (windingNumber(centre, polygon) !== 0) return 0;
  let best = Infinity;
  for (let i = 0; i < polygon.length; i++) {
    const [ax, ay] = polygon[i]!;
    const [bx, by] = polygon[(i + 1) % polygon.length]!;
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / step));
    for (let k = 0; k <= n; k++) {
      const x = ax + ((bx - ax) * k) / n;
      const y = ay + ((by - ay) * k) / n;
      const dx = Math.max(rect.x - x, 0, x - rect.x - rect.width);
      const dy = Math.max(rect.y - y, 0, y - rect.y - rect.height);
      best = Math.min(best, Math.hypot(dx, dy));
    }
  }
  return best;
}

function windingNumber([px, py]: Point, polygon: readonly Point[]): number {
  let winding = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [ax, ay] = polygon[i]!;
    const [bx, by] = polygon[(i + 1) % polygon.length]!;
    const side = (bx - ax) * (py - ay) - (px - ax) * (by - ay);
    if (ay <= py && by > py && side > 0) winding++;
    else if (ay > py && by <= py && side < 0) winding--;
  }
  return winding;
}

/**
 * The content-derived id a crop of `photoFile` with this box and origin must have, computed here independently of
 * crop-id.ts: `<photo id>_<c|g|w><first 10 hex of sha256("<sha256 of the file>|x,y,w,h|<origin>")>`.
 */
export async function expectedCropId(photoId: string, photoFile: string, box: BBox, origin: 'defect_cluster' | 'undamaged_photo_grid' | 'damaged_photo_clean_window'): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { readFile } = await import('node:fs/promises');
  const fileHash = createHash('sha256').update(await readFile(photoFile)).digest('hex');
  const letter = { defect_cluster: 'c', undamaged_photo_grid: 'g', damaged_photo_clean_window: 'w' }[origin];
  const hex = createHash('sha256').update(`${fileHash}|${box.x},${box.y},${box.width},${box.height}|${origin}`).digest('hex');
  return `${photoId}_${letter}${hex.slice(0, 10)}`;
}
