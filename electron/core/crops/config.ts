import { z } from 'zod';

/**
 * Clean windows cut from DAMAGED photos, away from every damage polygon. Without them every clean crop came from
 * the undamaged source and every damaged crop from the damaged ones, so similarity could learn "which dataset"
 * instead of "damaged or not"; clean windows give each damaged source clean crops of its own framing and camera.
 */
export const CleanWindowsConfigSchema = z.object({
  enabled: z.boolean(),
  /**
   * At most this many per photo. 4: close to the 5 grid crops an undamaged photo gets, so a damaged photo with room
   * gives about as many clean views as an undamaged one; more would be mostly overlapping views of the same panel
   * on a 640 px close-up, and a few roomy photos would outnumber the clean windows of all the others.
   */
  maxPerPhoto: z.number().int().min(0).max(64),
  /**
   * Least distance between a window and every damage polygon, as a share of the photo diagonal, measured on the
   * polygon itself (polygon-clearance.ts), not its box. 8 %: on bilgi close-ups the damage annotators left out is
   * mostly the continuation of an annotated defect (a scratch running past its polygon, creases and cracked paint
   * around a dent, scuffs along the same sill), within 5-10 % of the diagonal (45-90 px on a 640 px photo); 8 %
   * clears most of it. Isolated unannotated chips further away exist and no margin removes them. On the shared
   * damaged photos, clean windows per clearance (bilgi / flickr, windows on photos): 5 %: 466 on 208 / 205 on 60;
   * 8 %: 349 on 153 / 178 on 52; 10 %: 266 on 125 / 160 on 52; 15 %: 133 on 70 / 92 on 35.
   */
  clearanceRatio: z.number().min(0).max(1),
  /**
   * Window sizes tried, as shares of cropSize, largest first: the grid of undamaged photos (1), then finer grids
   * where the damage leaves no room for a full window (bilgi close-ups: the full grid alone gives 121 windows on 59
   * photos at 8 %, against 349 on 153 with the finer ones). Down to 0.5 × 448 = 224 px, the encoder's input side:
   * smaller windows would only be upscaled by phase 3 (a small car still gets windows of 60 % of its side, as on
   * undamaged photos).
   */
  windowScales: z.array(z.number().gt(0).max(1)).min(1),
  /**
   * Least window side, as a share of the photo's shorter side. The grid follows the car area, and where that area
   * is small on a damaged photo it is rarely the photographed car: on the 18 bilgi photos whose windows were under
   * 30 % of the side, 11 of the 12 looked at were a background car, a reflection, a roof strip or a wheel, because
   * the mask had missed the close-up car itself. 20 % (128 px on bilgi's 640, 205 px on flickr's 1024) drops them
   * and keeps every window of the three window scales on a car that fills the photo.
   */
  minWindowRatio: z.number().min(0).max(1),
});
export type CleanWindowsConfig = z.infer<typeof CleanWindowsConfigSchema>;

/**
 * Crop settings. Every distance that decides WHAT goes into a crop is relative to the photo, so the same
 * layout photographed at twice the resolution gives the same crops; only the output size is in pixels.
 */
export const CropConfigSchema = z.object({
  /** Long side of a written crop, and the grid window side (domain.md: 448 × 448). */
  cropSize: z.number().int().min(32).max(4096),
  /**
   * Two defects belong to one cluster when the gap between their boxes is at most this share of the photo
   * diagonal (single linkage). 5 %: defects that close usually come from one impact and fit one crop.
   */
  clusterGapRatio: z.number().min(0).max(1),
  /**
   * A cluster whose union box is wider or taller than this share of the photo's longer side is split.
   * 50 %: beyond that, downscaling the region to cropSize shrinks small defects (a 2-3 px scratch) below
   * what the encoder can see, and the crop stops being "about" the damage and becomes a view of the car.
   */
  maxClusterSideRatio: z.number().gt(0).max(1),
  /** Context margin on each side, as a share of the union's longer side (domain range 15-25 %). */
  marginRatio: z.number().min(0).max(1),
  /** Minimum margin on each side, as a share of the photo diagonal, so a tiny defect still shows its panel. */
  minMarginRatio: z.number().min(0).max(1),
  /** Overlap between neighbouring grid windows (domain.md: 25 %). */
  gridOverlap: z.number().min(0).lt(1),
  /**
   * When the car's shorter side would fit one cropSize window (small photos, such as the shared 512 px set),
   * windows are this share of that side instead: a window as large as the car is rarely 70 % car (a car's
   * outline fills only 65-80 % of its box), while panel-sized windows inside it are.
   */
  gridWindowCarShare: z.number().gt(0).max(1),
  /** A grid window is kept when at least this share of it is car (domain.md: 70 %). */
  minCarRatio: z.number().min(0).max(1),
  /** Measure the car share on the locator's mask when it has one; false: always on the box. */
  useMask: z.boolean(),
  jpegQuality: z.number().int().min(92).max(100),
  cleanWindows: CleanWindowsConfigSchema,
});
export type CropConfig = z.infer<typeof CropConfigSchema>;

export const DEFAULT_CROP_CONFIG: CropConfig = {
  cropSize: 448,
  clusterGapRatio: 0.05,
  maxClusterSideRatio: 0.5,
  marginRatio: 0.2,
  minMarginRatio: 0.03,
  gridOverlap: 0.25,
  gridWindowCarShare: 0.6,
  minCarRatio: 0.7,
  useMask: true,
  jpegQuality: 95,
  cleanWindows: { enabled: true, maxPerPhoto: 4, clearanceRatio: 0.08, windowScales: [1, 0.75, 0.5], minWindowRatio: 0.2 },
};

/** What callers may override: any top-level setting, and any clean-window setting on its own. */
export type CropConfigInput = Partial<Omit<CropConfig, 'cleanWindows'>> & { cleanWindows?: Partial<CleanWindowsConfig> };

export function resolveCropConfig(partial: CropConfigInput = {}): CropConfig {
  const cleanWindows = { ...DEFAULT_CROP_CONFIG.cleanWindows, ...partial.cleanWindows };
  const result = CropConfigSchema.safeParse({ ...DEFAULT_CROP_CONFIG, ...partial, cleanWindows });
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid crop config: ${issues}`);
  }
  return result.data;
}
