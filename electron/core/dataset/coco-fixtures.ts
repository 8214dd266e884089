/** Generated COCO folders and their LabelMe equivalents for the COCO tests (nothing here reads real data). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { labelme, photo } from './bad-input-fixtures';

/** One annotated object: a polygon as [x, y] points, or a box as [x, y, width, height] (a LabelMe rectangle). */
export type FixtureShape = { label: string; polygon: number[][] } | { label: string; box: [number, number, number, number] };

export interface FixturePhoto {
  file: string;
  width: number;
  height: number;
  shapes: FixtureShape[];
}

export interface CocoDocument {
  images: Record<string, unknown>[];
  annotations: Record<string, unknown>[];
  categories: Record<string, unknown>[];
}

/** The photo's bytes in the format its name says (JPEG or PNG), textured so that decoding checks mean something. */
export async function photoFile(file: string, width: number, height: number): Promise<Buffer> {
  const jpeg = await photo(width, height);
  return file.toLowerCase().endsWith('.png') ? sharp(jpeg).png().toBuffer() : jpeg;
}

/** The COCO document of `photos`: ids from 1, one category per label (Roboflow's supercategory 0 first). */
export function cocoDocument(photos: readonly FixturePhoto[]): CocoDocument {
  const labels = [...new Set(photos.flatMap((p) => p.shapes.map((s) => s.label)))];
  const categories = [{ id: 0, name: 'car-damage', supercategory: 'none' }, ...labels.map((name, i) => ({ id: i + 1, name, supercategory: 'car-damage' }))];
  let next = 1;
  const annotations = photos.flatMap((p, i) =>
    p.shapes.map((shape) => {
      const polygon = 'polygon' in shape ? shape.polygon : null;
      const xs = polygon ? polygon.map(([x]) => x!) : [];
      const ys = polygon ? polygon.map(([, y]) => y!) : [];
      const bbox = 'box' in shape ? shape.box : [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
      return {
        id: next++,
        image_id: i + 1,
        category_id: labels.indexOf(shape.label) + 1,
        // Roboflow writes [] for a box drawn as a box.
        segmentation: polygon ? [polygon.flat()] : [],
        bbox,
        area: bbox[2]! * bbox[3]!,
        iscrowd: 0,
      };
    }),
  );
  const images = photos.map((p, i) => ({ id: i + 1, file_name: p.file, width: p.width, height: p.height, license: 1 }));
  return { images, annotations, categories };
}

/** Writes the photos and `_annotations.coco.json` (or `cocoFile`) into `root`. */
export async function writeCocoFolder(root: string, photos: readonly FixturePhoto[], document = cocoDocument(photos), cocoFile = '_annotations.coco.json'): Promise<void> {
  await writePhotos(root, photos);
  await writeFile(join(root, cocoFile), JSON.stringify(document));
}

/** Writes the same photos as a plain LabelMe folder: a JSON beside each annotated photo. */
export async function writeLabelMeFolder(root: string, photos: readonly FixturePhoto[]): Promise<void> {
  await writePhotos(root, photos);
  for (const p of photos.filter((p) => p.shapes.length > 0)) {
    const shapes = p.shapes.map((s) =>
      'polygon' in s ? { label: s.label, points: s.polygon } : { label: s.label, points: [[s.box[0], s.box[1]], [s.box[0] + s.box[2], s.box[1] + s.box[3]]], shape_type: 'rectangle' },
    );
    await writeFile(join(root, p.file.replace(/\.[^.]+$/, '.json')), labelme(shapes, p.width, p.height, p.file));
  }
}

async function writePhotos(root: string, photos: readonly FixturePhoto[]): Promise<void> {
  for (const p of photos) {
    await mkdir(dirname(join(root, p.file)), { recursive: true });
    await writeFile(join(root, p.file), await photoFile(p.file, p.width, p.height));
  }
}
