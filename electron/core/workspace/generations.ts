import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { fsyncDirectory, writeFileAtomic } from './atomic-write';
import { readTextIfExists } from './json-file';

/**
 * A phase's outputs as one set: `<dir>/gen-<n>/…` holds one complete set and `<dir>/current` ("gen-<n>") names
 * the live one. A writer claims a fresh folder, writes every file into it, fsyncs it and switches `current` last,
 * so a crash or a kill leaves the previous set live and whole; folders `current` does not name are never read,
 * and those older than the live one are pruned at the next switch. A folder written before generations (files
 * directly in `<dir>`, no `current`) is read as the live set until the first generation replaces it.
 */

const CURRENT = 'current';
const GEN_PREFIX = 'gen-';
/** The lock held while `current` is checked, switched and older generations pruned. */
const SWITCH_LOCK = 'switch.lock';
const STALE_SWITCH_LOCK_MS = 10_000;

export interface PublishOptions {
  /** Files of the flat layout from before generations, removed once a generation is live. */
  legacyFiles?: readonly string[];
}

export function generationDir(dir: string, generation: number): string {
  return join(dir, `${GEN_PREFIX}${generation}`);
}

export async function listGenerations(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((n) => n.startsWith(GEN_PREFIX))
    .map((n) => Number(n.slice(GEN_PREFIX.length)))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
}

function parseCurrent(path: string, text: string): number {
  const match = /^gen-(\d+)\s*$/.exec(text);
  if (!match) throw new Error(`${path}: expected "gen-<n>", found ${JSON.stringify(text.slice(0, 40))}`);
  return Number(match[1]);
}

/** The live generation number, or null when none was ever completed. */
export async function readCurrent(dir: string): Promise<number | null> {
  const path = join(dir, CURRENT);
  const text = await readTextIfExists(path);
  return text === null ? null : parseCurrent(path, text);
}

/**
 * The folder every reader reads a phase's outputs from: the live generation, or `dir` itself when no generation
 * was ever completed (the flat layout of an older workspace, or nothing yet: readers then report the missing file).
 * Synchronous, since a report path is handed out where no promise can be awaited; it reads one tiny file.
 */
export function liveGenerationDir(dir: string): string {
  const path = join(dir, CURRENT);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return dir;
    throw error;
  }
  return generationDir(dir, parseCurrent(path, text));
}

/**
 * Claims the next generation folder with an exclusive mkdir: two writers that list the same generations never share
 * a folder (the second one takes the number after).
 */
export async function claimGeneration(dir: string): Promise<{ generation: number; path: string }> {
  await mkdir(dir, { recursive: true });
  const highest = Math.max(0, (await readCurrent(dir)) ?? 0, ...(await listGenerations(dir)));
  for (let generation = highest + 1; ; generation++) {
    const path = generationDir(dir, generation);
    try {
      await mkdir(path);
      return { generation, path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

export function supersededError(dir: string, live: number, generation: number): Error {
  return new Error(`${dir}: generation ${live} went live while generation ${generation} was being written; nothing was changed by this write, try again`);
}

/** Removes a generation that will not go live (a failed write, a checkpoint that no longer matches). */
export async function discardGeneration(dir: string, generation: number): Promise<void> {
  await rm(generationDir(dir, generation), { recursive: true, force: true });
}

/**
 * Makes a completely written generation live: fsyncs its folder, then checks, switches and prunes as one step under
 * a lock (proper-lockfile: a stale lock of a killed writer is taken over after STALE_SWITCH_LOCK_MS), so a slower
 * writer of an older generation can never switch `current` back after a newer one went live and pruned it. Only
 * older generations are pruned: a newer one may still be being written by another writer.
 */
export async function publishGeneration(dir: string, generation: number, options: PublishOptions = {}): Promise<void> {
  await fsyncDirectory(generationDir(dir, generation));
  const release = await lockfile.lock(dir, {
    lockfilePath: join(dir, SWITCH_LOCK),
    realpath: false,
    stale: STALE_SWITCH_LOCK_MS,
    // About twice the stale time, so a lock left by a killed writer is taken over rather than reported as busy.
    retries: { retries: 220, minTimeout: 5, maxTimeout: 100 },
  });
  try {
    const live = await readCurrent(dir);
    if (live !== null && live > generation) {
      await discardGeneration(dir, generation);
      throw supersededError(dir, live, generation);
    }
    await writeFileAtomic(join(dir, CURRENT), `${GEN_PREFIX}${generation}\n`);
    for (const old of await listGenerations(dir)) {
      if (old < generation) await discardGeneration(dir, old);
    }
    await Promise.all((options.legacyFiles ?? []).map((name) => rm(join(dir, name), { force: true })));
  } finally {
    await release();
  }
}

/**
 * Claims a generation, lets `write` fill its folder, and makes it live. A failed write removes the folder, so it
 * leaves nothing behind and the previous set live; if a newer generation went live meanwhile, the error says so.
 */
export async function writeNewGeneration<T>(
  dir: string,
  write: (path: string, generation: number) => Promise<T>,
  options: PublishOptions = {},
): Promise<{ generation: number; path: string; value: T }> {
  const { generation, path } = await claimGeneration(dir);
  let value: T;
  try {
    value = await write(path, generation);
  } catch (error) {
    await discardGeneration(dir, generation);
    const live = await readCurrent(dir).catch(() => null);
    if (live !== null && live > generation) throw supersededError(dir, live, generation);
    throw error;
  }
  await publishGeneration(dir, generation, options);
  return { generation, path, value };
}
