import type { ProbedImage } from './image-probe';
import type { Point, Problem } from './model';

/** Maps a point as the annotation gives it to the photo's upright pixels. */
export type ToPhoto = (point: Point) => Point;

const identity: ToPhoto = (point) => point;

const ORIENTATION_WORDS: Record<number, string> = {
  2: 'mirrored',
  3: 'rotated 180°',
  4: 'flipped upside down',
  5: 'mirrored and turned 90°',
  6: 'rotated 90° clockwise',
  7: 'mirrored and turned 90°',
  8: 'rotated 90° anticlockwise',
};

/** Upright coordinates of a point given in the stored (not yet EXIF-oriented) frame of size W×H. */
export function storedToUpright(orientation: number, stored: { width: number; height: number }): ToPhoto {
  const { width: w, height: h } = stored;
  switch (orientation) {
    case 2: return ([x, y]) => [w - x, y];
    case 3: return ([x, y]) => [w - x, h - y];
    case 4: return ([x, y]) => [x, h - y];
    case 5: return ([x, y]) => [y, x];
    case 6: return ([x, y]) => [h - y, x];
    case 7: return ([x, y]) => [h - y, w - x];
    case 8: return ([x, y]) => [y, w - x];
    default: return identity;
  }
}

/**
 * How the annotation's coordinates map onto the upright photo, with at most one warning. LabelMe applies the EXIF
 * orientation before annotating, so its frame is the upright one; tools that ignore EXIF annotate the stored pixels,
 * and their polygons must be turned, or the crops miss the damage. The frame is told by the declared size
 * (imageWidth × imageHeight): upright, stored, or (a resized copy) the one with the closer aspect ratio. When both
 * frames have the declared size (orientations 2-4, or a square photo) no geometric test can tell them apart (the
 * polygons fit both equally), so LabelMe's upright frame is assumed and the warning says so.
 */
export function annotationToPhoto(
  declared: { imageWidth: number; imageHeight: number },
  image: ProbedImage,
  fileName: string,
  problems: Problem[],
): ToPhoto {
  const size = { width: declared.imageWidth, height: declared.imageHeight };
  const same = (a: { width: number; height: number }, b: { width: number; height: number }) => a.width === b.width && a.height === b.height;
  const warn = (code: Problem['code'], message: string) => problems.push({ file: fileName, severity: 'warning', code, message });
  const exif = `EXIF orientation ${image.orientation} (${ORIENTATION_WORDS[image.orientation]})`;
  const upright = `${image.width}×${image.height}`;
  const stored = `${image.stored.width}×${image.stored.height}`;
  if (image.orientation <= 1 || image.orientation > 8) return scaleTo(size, image, fileName, problems);

  const fitsUpright = same(size, image);
  const fitsStored = same(size, image.stored);
  if (fitsUpright && fitsStored) {
    warn('exif_orientation', `the photo has ${exif} and the annotation's ${stored} fits both its stored and its upright frame; the upright frame (as LabelMe shows it) is used`);
    return identity;
  }
  if (fitsUpright) return identity;
  const toUpright = storedToUpright(image.orientation, image.stored);
  if (fitsStored) {
    warn('exif_orientation', `the annotation is in the stored frame (${stored}) of a photo with ${exif}, upright ${upright}; points converted to the upright frame`);
    return toUpright;
  }
  const aspect = (s: { width: number; height: number }) => Math.abs(Math.log(size.width / size.height / (s.width / s.height)));
  if (aspect(image.stored) < aspect(image)) {
    const sx = image.stored.width / size.width;
    const sy = image.stored.height / size.height;
    warn('exif_orientation', `annotation says ${size.width}×${size.height}, the shape of the stored frame (${stored}) of a photo with ${exif}, upright ${upright}; points scaled to the stored frame and converted to the upright frame`);
    return ([x, y]) => toUpright([x * sx, y * sy]);
  }
  return scaleTo(size, image, fileName, problems);
}

/** Trusts the real image size; annotations made on a resized copy are scaled onto it, with a warning. */
function scaleTo(size: { width: number; height: number }, image: { width: number; height: number }, fileName: string, problems: Problem[]): ToPhoto {
  if (size.width === image.width && size.height === image.height) return identity;
  problems.push({
    file: fileName,
    severity: 'warning',
    code: 'size_mismatch',
    message: `annotation says ${size.width}×${size.height} but the image is ${image.width}×${image.height}; points scaled to the image`,
  });
  const sx = image.width / size.width;
  const sy = image.height / size.height;
  return ([x, y]) => [x * sx, y * sy];
}
