import { z } from 'zod';

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
};

export function resolveCropConfig(partial: Partial<CropConfig> = {}): CropConfig {
  const result = CropConfigSchema.safeParse({ ...DEFAULT_CROP_CONFIG, ...partial });
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid crop config: ${issues}`);
  }
  return result.data;
}
