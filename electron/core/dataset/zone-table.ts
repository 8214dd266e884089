import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isZoneId, type ZoneId } from '../domain/zones';
import type { Problem } from './model';

export interface ZoneTable {
  zones: ReadonlyMap<string, ZoneId | null>;
  problems: Problem[];
}

/**
 * Reads `zones.csv`: a header with `image` and `zone` columns (others ignored); a blank zone means unknown.
 * Values never contain commas in this format, so a plain split is enough.
 */
export async function readZoneTable(path: string): Promise<ZoneTable> {
  const file = basename(path);
  const lines = (await readFile(path, 'utf8')).split(/\r?\n/).filter((line) => line.trim().length > 0);
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const imageColumn = header.indexOf('image');
  const zoneColumn = header.indexOf('zone');
  if (imageColumn < 0 || zoneColumn < 0) {
    throw new Error(`zone table ${path}: the first line must name the columns 'image' and 'zone'`);
  }
  const zones = new Map<string, ZoneId | null>();
  const problems: Problem[] = [];
  lines.forEach((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const image = cells[imageColumn];
    const raw = cells[zoneColumn] ?? '';
    if (!image) {
      problems.push({ file, severity: 'warning', code: 'bad_zone_table', message: `line ${i + 2}: no image name (line ignored)` });
      return;
    }
    if (raw === '') {
      zones.set(image, null);
      return;
    }
    const zone = Number(raw);
    if (!isZoneId(zone)) {
      problems.push({ file, severity: 'warning', code: 'bad_zone_table', message: `line ${i + 2}: zone '${raw}' for ${image} is not 1-10 (zone unknown)` });
      zones.set(image, null);
      return;
    }
    zones.set(image, zone);
  });
  return { zones, problems };
}
