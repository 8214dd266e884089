import { copyFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { runPipeline } from '../electron/core/pipeline/pipeline';
import { defaultSources } from '../electron/core/pipeline/sources';

const PHOTO = /\.(jpe?g|png)$/i;

/** The zone table's rows of the photos kept (with its header); null when the folder has none. */
async function zoneRows(folder: string, kept: Set<string>): Promise<string | null> {
  const file = join(folder, 'zones.csv');
  if (!existsSync(file)) return null;
  const [header, ...rows] = (await readFile(file, 'utf8')).split(/\r?\n/).filter(Boolean);
  return [header, ...rows.filter((row) => kept.has(row.split(',')[0]!))].join('\n') + '\n';
}

/**
 * The first `count` photos of a shared folder (by name) that have their LabelMe JSON beside them, preferring those
 * the zone table gives a zone, so the zone filters have something to count.
 */
async function pickPhotos(folder: string, count: number): Promise<string[]> {
  const names = (await readdir(folder)).sort();
  const annotated = names.filter((n) => PHOTO.test(n) && names.includes(`${basename(n, extname(n))}.json`));
  const zoned = new Set(
    existsSync(join(folder, 'zones.csv'))
      ? (await readFile(join(folder, 'zones.csv'), 'utf8')).split(/\r?\n/).filter((row) => /^[^,]+,\d+/.test(row)).map((row) => row.split(',')[0]!)
      : [],
  );
  return [...annotated.filter((n) => zoned.has(n)), ...annotated.filter((n) => !zoned.has(n))].slice(0, count);
}

/**
 * A small copy of the main job's workspace: `perSource` photos of each of the three shared folders (with their
 * LabelMe JSONs, label map and zone-table rows) in folders of the same names, so photo and crop ids read like the
 * main job's (`bilgi-car-damage__…`), run through phases 1-4 with the pipeline as `npm run cli -- run` does.
 */
export async function buildSharedWorkspace(dir: string, perSource = 7): Promise<string> {
  const sources = [];
  for (const source of defaultSources()) {
    const copy = join(dir, 'datasets', basename(source.path));
    await mkdir(copy, { recursive: true });
    const photos = await pickPhotos(source.path, perSource);
    for (const photo of photos) {
      await copyFile(join(source.path, photo), join(copy, photo));
      await copyFile(join(source.path, `${basename(photo, extname(photo))}.json`), join(copy, `${basename(photo, extname(photo))}.json`));
    }
    if (existsSync(join(source.path, 'labelmap.json'))) await copyFile(join(source.path, 'labelmap.json'), join(copy, 'labelmap.json'));
    const zones = await zoneRows(source.path, new Set(photos));
    if (zones) await writeFile(join(copy, 'zones.csv'), zones);
    sources.push({ ...source, path: copy });
  }
  const workspace = join(dir, 'workspace');
  await runPipeline({ sources, workspace, phases: ['crops', 'contexts', 'embed', 'index'] });
  return workspace;
}

/**
 * The workspace the e2e suite opens. By default a small one built from the three shared folders (above). With
 * CARLENS_E2E_WORKSPACE=/path/to/workspace (e.g. the main job's ./workspace, built by scripts/main-job.sh), that
 * workspace instead, copied into `dir` first: the suite rejects a crop, edits a context and re-runs phases, and
 * must never write into the original.
 */
export async function e2eWorkspace(dir: string): Promise<string> {
  const given = process.env.CARLENS_E2E_WORKSPACE;
  if (!given) return buildSharedWorkspace(dir);
  const copy = join(dir, 'workspace-copy');
  // A lock left in the original (a run in progress there) must not come along.
  await cp(given, copy, { recursive: true, filter: (src) => !basename(src).startsWith('.carlens.lock') });
  return copy;
}
