import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { readFailureReason } from './dataset-files';

const PointSchema = z.tuple([z.number(), z.number()]);

export const LabelMeShapeSchema = z.object({
  label: z.string(),
  points: z.array(PointSchema),
  shape_type: z.string().nullish().transform((t) => t ?? 'polygon'),
  group_id: z.number().nullish(),
});

/** The LabelMe fields that matter (domain.md); `imageData` and everything else is optional and ignored. */
export const LabelMeSchema = z.object({
  imagePath: z.string(),
  imageWidth: z.number().int().positive(),
  imageHeight: z.number().int().positive(),
  shapes: z.array(LabelMeShapeSchema),
});

export type LabelMeFile = z.infer<typeof LabelMeSchema>;
export type LabelMeShape = z.infer<typeof LabelMeShapeSchema>;

export type LabelMeResult =
  | { ok: true; file: LabelMeFile }
  | { ok: false; code: 'empty_file' | 'malformed_json' | 'invalid_labelme' | 'unreadable_file'; message: string };

/** Reads and validates one LabelMe JSON file; never throws: an unreadable file is a result like a malformed one. */
export async function readLabelMe(path: string): Promise<LabelMeResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, code: 'unreadable_file', message: `cannot read the file: ${readFailureReason(error)}` };
  }
  if (text.trim().length === 0) return { ok: false, code: 'empty_file', message: 'the file is empty' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: 'malformed_json', message: `not valid JSON: ${(error as Error).message}` };
  }
  const parsed = LabelMeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'top level';
    return { ok: false, code: 'invalid_labelme', message: `not a LabelMe file: ${where}: ${issue.message}` };
  }
  return { ok: true, file: parsed.data };
}
