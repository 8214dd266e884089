import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { workspacePaths } from '../workspace/workspace';
import { LocalIndex } from './local-index';
import { readCurrent } from './store';

/** Reads a workspace's live index generation into memory; injectable so tests can count the reads. */
export type OpenIndex = (workspace: string) => Promise<LocalIndex>;

/**
 * What `index/current` looks like right now, from one stat: inode (every switch renames a fresh file over it),
 * size and change times in nanoseconds. Comparing stamps tells a switched pointer from an unchanged one without
 * reading the file; bench/scale.ts times it against reading the file's few bytes. A missing pointer is 'none'.
 */
export async function pointerStamp(pointerPath: string): Promise<string> {
  try {
    const s = await stat(pointerPath, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw new Error(`${pointerPath}: cannot tell whether it changed (${(error as Error).message})`, { cause: error });
  }
}

interface Live {
  /** The pointer's stamp taken before the generation was read, so a switch during the read is seen next time. */
  stamp: string;
  /** Which check started it: an older check that finishes later never replaces a newer open. */
  check: number;
  opening: Promise<LocalIndex>;
}

/**
 * The live index generation of one workspace, read once and kept in memory (at 100k crops a read takes seconds
 * and over a GB). Each search asks `current()`, which stats `index/current` and reads the generation again only
 * when the pointer changed (phase 4, a review edit, another app); searches that arrive during that read share it.
 * A search keeps the LocalIndex it was given, whole in memory, so a switch or the old generation's folder being
 * deleted does not disturb it; the old one is garbage once the last such search drops it.
 */
export class IndexService {
  private live: Live | null = null;
  private checks = 0;
  /** The review edit in progress, if any: its own pointer switch must not make searches read the index again. */
  private editing: Promise<unknown> | null = null;
  private readonly indexDir: string;
  private readonly pointer: string;

  constructor(
    readonly workspace: string,
    private readonly openIndex: OpenIndex = (ws) => LocalIndex.open(ws),
  ) {
    this.indexDir = workspacePaths(workspace).indexDir;
    this.pointer = join(this.indexDir, 'current');
  }

  /** The live generation, read again only if `index/current` changed since it was read. */
  async current(): Promise<LocalIndex> {
    const check = ++this.checks;
    const stamp = await pointerStamp(this.pointer);
    const live = this.live;
    if (live && (live.stamp === stamp || live.check > check)) return live.opening;
    if (this.editing) {
      // Most likely the edit's own switch: it hands over the generation it wrote when it ends.
      await this.editing.catch(() => undefined);
      return this.current();
    }
    const opening = this.openIndex(this.workspace);
    const next: Live = { stamp, check, opening };
    this.live = next;
    // A failed read is not kept: the next search tries again (an index may be built meanwhile).
    opening.catch(() => {
      if (this.live === next) this.live = null;
    });
    return opening;
  }

  /**
   * Runs a review edit (reject, context update) on the live generation. The edit writes a new generation and holds
   * it in the same LocalIndex, which stays live without being read back, as long as the pointer names it.
   * Callers run edits one at a time (the app's edit queue) as the workspace's only writer.
   */
  async edit<T>(change: (index: LocalIndex) => Promise<T>): Promise<T> {
    const index = await this.current();
    const run = change(index);
    this.editing = run;
    try {
      const value = await run;
      // Stat first: a switch by another writer after it makes the stamp stale, and the next search reads that one.
      const stamp = await pointerStamp(this.pointer);
      if ((await readCurrent(this.indexDir)) === index.config.generation) {
        this.live = { stamp, check: ++this.checks, opening: Promise.resolve(index) };
      }
      return value;
    } finally {
      if (this.editing === run) this.editing = null;
    }
  }
}
