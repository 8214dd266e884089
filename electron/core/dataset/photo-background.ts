/**
 * What transparent pixels of a photo (RGBA or grey+alpha PNG, WebP, TIFF) are shown on wherever photos are decoded
 * for crops, embeddings or inspection. Mid-grey, because dropping alpha leaves whatever colour the transparent
 * pixels happen to store (usually black): black next to a car reads as a dark gap, dent shadow or tyre, white as
 * glare or white paint; mid-grey is near the mean pixel that embedders normalise by (CLIP's mean ≈ 0.48, 0.46, 0.41),
 * so it adds the least contrast and no object-like edge.
 */
export const TRANSPARENT_BACKGROUND = { r: 128, g: 128, b: 128 } as const;
