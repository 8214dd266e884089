import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DAMAGE_TYPES, type DamageType } from '../domain/damage-types';

const LabelMapSchema = z.object({
  map: z.record(z.string(), z.enum(DAMAGE_TYPES).nullable()),
});

/** Source label → canonical damage type, or null for a label that is explicitly not damage. */
export type LabelMap = ReadonlyMap<string, DamageType | null>;

/** Reads `labelmap.json` (`{ "map": { "scratch": "surface_scratch", "airbag_deployed": null } }`). */
export async function readLabelMap(path: string): Promise<LabelMap> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`label map ${path}: ${(error as Error).message}`);
  }
  const parsed = LabelMapSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `label map ${path}: ${issue.path.join('.') || 'top level'}: ${issue.message} (expected { "map": { label: one of ${DAMAGE_TYPES.join(', ')} or null } })`,
    );
  }
  return new Map(Object.entries(parsed.data.map));
}
