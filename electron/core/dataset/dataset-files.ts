import { readdir } from 'node:fs/promises';
import type { Problem } from './model';

/**
 * Photo formats read: those the sharp/libvips build bundled here decodes (sharp.format lists jpeg, png, webp, tiff,
 * gif, svg, heif-as-AVIF). GIF (256 colours) and SVG (drawings) are not photos, so they are reported, not read.
 */
export const SUPPORTED_IMAGE = /\.(jpe?g|jpe|jfif|png|webp|tiff?|avif)$/i;

/**
 * Image files that are not read, with the format's name for the message. HEIC/HEIF need an HEVC decoder, which the
 * bundled libheif lacks (it decodes only AV1, i.e. AVIF); BMP, JPEG 2000, JPEG XL and camera raw have no loader here.
 */
const UNSUPPORTED_IMAGE: Record<string, string> = {
  heic: 'HEIC', heif: 'HEIF', hif: 'HEIF', gif: 'GIF', svg: 'SVG', svgz: 'SVG', bmp: 'BMP', dib: 'BMP',
  jp2: 'JPEG 2000', j2k: 'JPEG 2000', jpf: 'JPEG 2000', jxl: 'JPEG XL', ico: 'ICO',
  psd: 'Photoshop', tga: 'TGA', exr: 'OpenEXR', ppm: 'PPM', pgm: 'PGM', pbm: 'PBM', pnm: 'PNM',
  dng: 'DNG raw', cr2: 'Canon raw', cr3: 'Canon raw', nef: 'Nikon raw', arw: 'Sony raw', orf: 'Olympus raw',
  rw2: 'Panasonic raw', raf: 'Fujifilm raw', pef: 'Pentax raw', srw: 'Samsung raw',
};

/** The format name of an image file that is not read, or null when the name is not such an image. */
export function unsupportedImageFormat(name: string): string | null {
  const extension = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  return extension ? (UNSUPPORTED_IMAGE[extension] ?? null) : null;
}

export function unsupportedImageProblem(name: string, format: string, readable: string): Problem {
  return {
    file: name,
    severity: 'error',
    code: 'unsupported_format',
    message: `${format} image: not a format read here (${readable}); convert it to JPEG to include it (file skipped)`,
  };
}

const DATASET_FILE = /\.(json|jpe?g|jpe|jfif|png|webp|tiff?|avif)$/i;

/**
 * The names of a dataset folder that are read as files. Regular files, and every entry named like a photo or an
 * annotation even when it is not a regular file: a symbolic link to a readable file is simply followed (readFile and
 * sharp follow links), while a broken link or a folder named `x.json` then fails to read and becomes a problem naming
 * it, instead of vanishing (a missing JSON would turn a damaged photo into an undamaged one). Other folders and links
 * (sub-folders, `.git`) are not part of the dataset.
 */
export async function listDatasetFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() || DATASET_FILE.test(e.name) || unsupportedImageFormat(e.name) !== null)
    .map((e) => e.name)
    .sort();
}

/** A photo whose loading failed unexpectedly (a bug, an I/O error mid-read): its problem, so the scan goes on. */
export function loadFailure(file: string, error: Error): Problem {
  return { file, severity: 'error', code: 'unreadable_file', message: `cannot be loaded: ${error.message.split('\n')[0]!} (photo skipped)` };
}

/** Why a file cannot be read, in words, from a Node file-system error. */
export function readFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it does not exist (a broken symbolic link?)';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ELOOP':
      return 'its symbolic links form a loop';
    default:
      return (error as Error).message.split('\n')[0]!.trim();
  }
}
