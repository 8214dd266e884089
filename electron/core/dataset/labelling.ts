import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ZoneId } from '../domain/zones';
import { readLabelMap, type LabelMap } from './label-map';
import type { PhotoState, Problem, Shape } from './model';
import { noDamageMessage, type LabelClass } from './shapes';
import { readZoneTable } from './zone-table';

export interface LabellingOptions {
  /** labelmap.json; default: the one in the folder, if any. Without one, no label is damage. */
  labelMap?: string;
  /** zones.csv; default: the one in the folder, if any. */
  zones?: string;
  /** The state of every photo; default: a photo with damage shapes is damaged. */
  state?: PhotoState;
}

/** How the photos of an annotated folder (LabelMe or COCO) get their damage types, zones and states. */
export interface Labelling {
  labelMapPath: string | undefined;
  zonesPath: string | undefined;
  /** Image file name (relative to the folder) → zone. */
  zones: ReadonlyMap<string, ZoneId | null>;
  classify: (label: string) => LabelClass;
  /** Why labels are or are not damage, for the no-damage message. */
  damageRule: string;
  /** The zone table's bad rows. */
  problems: Problem[];
}

/** Reads the label map and zone table named in the options, else those in the folder; a bad one throws. */
export async function readLabelling(root: string, options: LabellingOptions): Promise<Labelling> {
  const labelMapPath = options.labelMap ?? inFolder(root, 'labelmap.json');
  const zonesPath = options.zones ?? inFolder(root, 'zones.csv');
  const labelMap: LabelMap = labelMapPath ? await readLabelMap(labelMapPath) : new Map();
  const zoneTable = zonesPath ? await readZoneTable(zonesPath) : { zones: new Map(), problems: [] };
  return {
    labelMapPath,
    zonesPath,
    zones: zoneTable.zones,
    // Labels absent from the map (car parts, …) are normal in such folders: not damage, and not a per-file problem.
    classify: (label) => ({ damageType: options.state === 'undamaged' ? null : (labelMap.get(label) ?? null), known: true }),
    damageRule: labelMapPath ? `per ${basename(labelMapPath)}` : 'there is no labelmap.json, so no label is damage',
    problems: zoneTable.problems,
  };
}

/**
 * A photo's state: the one given for the folder, else damaged when it has damage shapes. A damage shape that had to
 * be dropped (a point, no area) still says the photo is damaged: passing it as undamaged would teach that damage is
 * clean car; its shape's problem already says why it yields no crop. A damaged photo without damage gets a warning
 * naming `file`.
 */
export function decideState(
  shapes: readonly Shape[],
  droppedDamage: boolean,
  given: PhotoState | undefined,
  damageRule: string,
  file: string,
  problems: Problem[],
): PhotoState {
  const hasDamage = shapes.some((s) => s.damageType !== null);
  const state: PhotoState = given ?? (hasDamage || droppedDamage ? 'damaged' : 'undamaged');
  if (state === 'damaged' && !hasDamage && !droppedDamage) {
    problems.push({ file, severity: 'warning', code: 'no_damage_shapes', message: noDamageMessage(shapes, damageRule) });
  }
  return state;
}

function inFolder(root: string, name: string): string | undefined {
  const path = join(root, name);
  return existsSync(path) ? path : undefined;
}
