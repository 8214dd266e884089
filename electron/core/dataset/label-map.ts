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
  const expected = `expected { "map": { label: one of ${DAMAGE_TYPES.join(', ')} or null } }`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`label map ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'read error'})`);
  }
  // Neither JSON.parse's message nor the schema's issue path is repeated: both can quote the file, and a label map
  // may be pointed at any file on the machine.
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`label map ${path}: not valid JSON; ${expected}`);
  }
  const parsed = LabelMapSchema.safeParse(json);
  if (!parsed.success) {
    // Only a file shaped like a label map gets its offending entry named: it is the user's own mapping.
    const map = (json as { map?: unknown } | null)?.map;
    const entries = map && typeof map === 'object' && !Array.isArray(map) ? Object.entries(map) : null;
    const bad = entries?.find(([, value]) => value !== null && !(DAMAGE_TYPES as readonly unknown[]).includes(value));
    if (bad) throw new Error(`label map ${path}: map.${bad[0]} is not one of ${DAMAGE_TYPES.join(', ')} or null`);
    throw new Error(`label map ${path}: not a label map; ${expected}`);
  }
  return new Map(Object.entries(parsed.data.map));
}
