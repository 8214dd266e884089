import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readCropsMetadata } from '../../core/crops/metadata';
import { PHASE3_FILES } from '../../core/embedder/run';
import { LocalIndex } from '../../core/index';
import { validationReportPaths, type ValidationReport } from '../../core/validation';
import { TEMP_FILE_PATTERN } from '../../core/workspace/atomic-write';
import { liveGenerationDir } from '../../core/workspace/generations';
import { workspaceLockPaths } from '../../core/workspace/lock';
import { readNpy } from '../../core/workspace/npy';
import { workspacePaths } from '../../core/workspace/workspace';

/** What each phase's live outputs hold, read as their readers read them. */
export interface LiveState {
  crops: number;
  contexts: number;
  embeddings: { generation: string; rows: number };
  index: { generation: number; count: number };
  validation: { generation: string; passed: boolean; count: number };
}

/**
 * Reads the live set of every phase and checks that it is whole: every crop file crops.json lists exists, phase 3's
 * five files have the same rows, the index opens (its four files agree), report.json and report.html are the same
 * report. Throws, naming the file, when a set is not whole.
 */
export async function readLiveState(workspace: string): Promise<LiveState> {
  const paths = workspacePaths(workspace);
  const crops = (await readCropsMetadata(paths.cropsMetadata))!;
  const missing = crops.crops.filter((c) => !existsSync(join(workspace, c.crop_path)));
  if (missing.length) throw new Error(`${paths.cropsMetadata} lists ${missing.length} crop files that do not exist, e.g. ${missing[0]!.crop_path}`);
  const contexts = JSON.parse(await readFile(paths.contexts, 'utf8')) as { crops: unknown[] };

  const phase3 = liveGenerationDir(paths.embeddingsDir);
  const metadata = JSON.parse(await readFile(join(phase3, PHASE3_FILES.metadata), 'utf8')) as { crops: unknown[] };
  const info = JSON.parse(await readFile(join(phase3, PHASE3_FILES.info), 'utf8')) as { embedded: number };
  for (const name of [PHASE3_FILES.fused, PHASE3_FILES.image, PHASE3_FILES.text]) {
    const { shape } = await readNpy(join(phase3, name));
    if (shape[0] !== metadata.crops.length || info.embedded !== shape[0]) {
      throw new Error(`${join(phase3, name)} has ${shape[0]} rows, metadata.json ${metadata.crops.length} crops, generation_info.json ${info.embedded}`);
    }
  }

  const index = await LocalIndex.open(workspace);
  const reportPaths = validationReportPaths(workspace);
  const report = JSON.parse(await readFile(reportPaths.json, 'utf8')) as ValidationReport;
  if (!(await readFile(reportPaths.html, 'utf8')).includes(report.generated_at)) {
    throw new Error(`${reportPaths.html} is not the report of ${reportPaths.json} (generated ${report.generated_at})`);
  }
  return {
    crops: crops.crops.length,
    contexts: contexts.crops.length,
    embeddings: { generation: basename(phase3), rows: metadata.crops.length },
    index: { generation: index.config.generation, count: index.size },
    validation: { generation: basename(join(reportPaths.json, '..')), passed: report.passed, count: report.index.count },
  };
}

/**
 * What a finished run must not leave behind, as paths relative to the workspace: temp files of atomic writes,
 * generation folders other than the live one, crop images crops.json does not list, the workspace lock.
 */
export async function leftovers(workspace: string): Promise<string[]> {
  const paths = workspacePaths(workspace);
  const found: string[] = [];
  for (const dir of [paths.embeddingsDir, paths.indexDir, paths.validationDir]) {
    const live = basename(liveGenerationDir(dir));
    for (const name of await readdir(dir)) if (name !== 'current' && name !== live) found.push(`${basename(dir)}/${name}`);
  }
  // Temp files, except inside a folder already found: it goes whole.
  const folders = new Set(found);
  const walk = async (dir: string, relative: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory() && !folders.has(path)) await walk(join(dir, entry.name), path);
      else if (TEMP_FILE_PATTERN.test(entry.name)) found.push(path);
    }
  };
  await walk(workspace, '');
  const listed = new Set((await readCropsMetadata(paths.cropsMetadata))!.crops.map((c) => c.crop_path));
  for (const name of await readdir(join(paths.cropsDir, 'images'))) {
    if (!listed.has(`crops/images/${name}`) && !TEMP_FILE_PATTERN.test(name)) found.push(`crops/images/${name}`);
  }
  const lock = workspaceLockPaths(workspace);
  for (const path of [lock.lock, lock.holder]) if (existsSync(path)) found.push(basename(path));
  return found;
}
