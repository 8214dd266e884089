import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { readFailureReason } from './dataset-files';
import type { Problem, ProblemCode } from './model';

/**
 * Names of COCO annotation files: Roboflow's `_annotations.coco.json` (one per split folder) and the usual
 * `annotations.json`, `coco.json` and `instances*.json` (the COCO release's `instances_train2017.json`).
 */
const COCO_FILE_NAME = /^(_annotations\.coco|annotations|coco|instances[^/\\]*)\.json$/i;

export function isCocoFileName(name: string): boolean {
  return COCO_FILE_NAME.test(name);
}

/** Ids are numbers in COCO, strings in some exporters; both are keyed by their text. */
const Id = z.union([z.number(), z.string().min(1)]);
const ImageSchema = z.object({
  id: Id,
  file_name: z.string().min(1),
  width: z.number().int().positive().nullish(),
  height: z.number().int().positive().nullish(),
});
const RleSchema = z.object({ counts: z.union([z.string(), z.array(z.number())]), size: z.array(z.number()) });
const AnnotationSchema = z.object({
  id: Id.nullish(),
  image_id: Id,
  category_id: Id,
  // A list of flat [x1, y1, x2, y2, …] polygons; some exporters write one flat polygon without the outer list.
  segmentation: z.union([z.array(z.array(z.number())), z.array(z.number()), RleSchema]).nullish(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullish(),
  iscrowd: z.union([z.number(), z.boolean()]).nullish(),
});
const CategorySchema = z.object({ id: Id, name: z.string().min(1) });
const CocoSchema = z.object({
  images: z.array(z.unknown()),
  annotations: z.array(z.unknown()).nullish(),
  categories: z.array(z.unknown()).nullish(),
});

export interface CocoImage {
  id: string;
  /** As the file spells it: relative to the folder of the COCO file. */
  fileName: string;
  /** The size the annotations were drawn on, when the file says. */
  width: number | null;
  height: number | null;
}

export interface CocoAnnotation {
  /** How problems name it: `annotation <id>`, or its place in the list when it has no id. */
  name: string;
  /** The category's name: the label mapped through labelmap.json like a LabelMe label. */
  label: string;
  /** Flat [x1, y1, x2, y2, …] polygons; empty for a bbox-only or RLE annotation. */
  polygons: number[][];
  rle: boolean;
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number] | null;
  crowd: boolean;
}

export interface CocoFile {
  images: CocoImage[];
  /** Image id → its annotations, in file order. */
  annotations: ReadonlyMap<string, CocoAnnotation[]>;
  /**
   * Images with an annotation that cannot be used (unknown category, unreadable entry): skipped, since the damage
   * on them cannot be told and they must not pass as undamaged. Each has its one problem already.
   */
  spoiled: ReadonlySet<string>;
}

export type CocoResult = { ok: true; coco: CocoFile; problems: Problem[] } | { ok: false; problem: Problem };

/** Reads one COCO file; `file` is its name relative to the dataset folder. Never throws. */
export async function readCocoFile(path: string, file: string): Promise<CocoResult> {
  const fail = (code: ProblemCode, message: string): CocoResult => ({ ok: false, problem: { file, severity: 'error', code, message: `${message} (no photo read from it)` } });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return fail('unreadable_file', `cannot read the COCO file: ${readFailureReason(error)}`);
  }
  if (text.trim().length === 0) return fail('empty_file', 'the COCO file is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail('malformed_json', `not valid JSON: ${(error as Error).message}`);
  }
  const top = CocoSchema.safeParse(json);
  if (!top.success) return fail('invalid_coco', `not a COCO file: ${issueText(top.error)}`);
  return { ok: true, ...readEntries(top.data, file) };
}

function readEntries(top: z.infer<typeof CocoSchema>, file: string): { coco: CocoFile; problems: Problem[] } {
  const problems: Problem[] = [];
  const report = (severity: Problem['severity'], code: ProblemCode, message: string) => problems.push({ file, severity, code, message });

  const categories = new Map<string, string>();
  (top.categories ?? []).forEach((raw, i) => {
    const parsed = CategorySchema.safeParse(raw);
    if (parsed.success) categories.set(String(parsed.data.id), parsed.data.name);
    else report('warning', 'invalid_coco', `categories[${i}]: ${issueText(parsed.error)} (category ignored)`);
  });

  const images = new Map<string, CocoImage>();
  top.images.forEach((raw, i) => {
    const parsed = ImageSchema.safeParse(raw);
    if (!parsed.success) return void report('error', 'invalid_coco', `images[${i}]: ${issueText(parsed.error)} (entry skipped)`);
    const { id, file_name, width, height } = parsed.data;
    const key = String(id);
    const first = images.get(key);
    if (first) return void report('error', 'duplicate_photo', `images[${i}] (${file_name}) has id ${key}, like ${first.fileName} (entry skipped)`);
    images.set(key, { id: key, fileName: file_name, width: width ?? null, height: height ?? null });
  });

  const annotations = new Map<string, CocoAnnotation[]>();
  const spoiled = new Set<string>();
  // One problem per skipped photo: its first unusable annotation.
  const spoil = (imageId: string, code: ProblemCode, message: string) => {
    if (spoiled.has(imageId)) return;
    spoiled.add(imageId);
    report('error', code, `${images.get(imageId)!.fileName}: ${message} (photo skipped: the damage on it cannot be told)`);
  };
  (top.annotations ?? []).forEach((raw, i) => {
    const parsed = AnnotationSchema.safeParse(raw);
    if (!parsed.success) {
      const imageId = (raw as { image_id?: unknown } | null)?.image_id;
      const key = typeof imageId === 'number' || typeof imageId === 'string' ? String(imageId) : null;
      if (key !== null && images.has(key)) return spoil(key, 'invalid_coco', `annotations[${i}]: ${issueText(parsed.error)}`);
      return void report('warning', 'invalid_coco', `annotations[${i}]: ${issueText(parsed.error)} (annotation ignored)`);
    }
    const a = parsed.data;
    const name = a.id === null || a.id === undefined ? `annotations[${i}]` : `annotation ${a.id}`;
    const imageId = String(a.image_id);
    if (!images.has(imageId)) return void report('warning', 'unknown_image_id', `${name} names image id ${imageId}, which images[] lacks (annotation ignored)`);
    const label = categories.get(String(a.category_id));
    if (label === undefined) return spoil(imageId, 'unknown_category_id', `${name} names category id ${a.category_id}, which categories[] lacks`);
    const rle = a.segmentation !== null && a.segmentation !== undefined && !Array.isArray(a.segmentation);
    const segmentation = Array.isArray(a.segmentation) ? a.segmentation : [];
    const polygons = segmentation.length > 0 && typeof segmentation[0] === 'number' ? [segmentation as number[]] : (segmentation as number[][]);
    const odd = polygons.findIndex((p) => p.length % 2 !== 0);
    if (odd >= 0) return spoil(imageId, 'invalid_coco', `${name}: polygon ${odd + 1} has an odd number of coordinates (${polygons[odd]!.length})`);
    const bbox = a.bbox ?? null;
    if (polygons.length === 0 && !bbox) {
      if (rle) return spoil(imageId, 'rle_segmentation', `${name} has an RLE mask, which is not read here, and no bbox`);
      return spoil(imageId, 'invalid_coco', `${name} has neither a polygon nor a bbox`);
    }
    const list = annotations.get(imageId) ?? [];
    list.push({ name, label, polygons, rle, bbox, crowd: a.iscrowd === 1 || a.iscrowd === true });
    annotations.set(imageId, list);
  });
  return { coco: { images: [...images.values()], annotations, spoiled }, problems };
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.length > 0 ? issue.path.join('.') : 'top level'}: ${issue.message}`;
}
