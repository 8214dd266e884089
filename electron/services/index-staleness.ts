import { join } from 'node:path';
import { pointerStamp } from '../core/index/service';
import { workspacePaths } from '../core/workspace/workspace';
import { staleIndexNotice } from './search-view';

/** How long a staleness notice is reused while workspace.json and index/current stay as they were. */
export const STALENESS_MAX_AGE_MS = 10_000;

interface Entry {
  stamp: string;
  at: number;
  notice: Promise<string | null>;
}

/**
 * Whether a workspace's index is older than its inputs, worked out at most once per STALENESS_MAX_AGE_MS while
 * workspace.json and index/current keep their stat stamps. Working it out lists every source's files (~25-30 ms
 * on the main job's workspace, seconds for hundreds of thousands of photos), which a search must not pay each
 * time: a phase run or a review edit changes one of the two files and is seen at the next search, a photo
 * added to a source folder within the max age.
 */
export class IndexStalenessCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly compute: (workspace: string) => Promise<string | null> = staleIndexNotice,
    private readonly now: () => number = Date.now,
    private readonly maxAgeMs = STALENESS_MAX_AGE_MS,
  ) {}

  async notice(workspace: string): Promise<string | null> {
    const { manifest, indexDir } = workspacePaths(workspace);
    const stamps = await Promise.all([pointerStamp(manifest), pointerStamp(join(indexDir, 'current'))]);
    const stamp = stamps.join('|');
    const entry = this.entries.get(workspace);
    if (entry && entry.stamp === stamp && this.now() - entry.at < this.maxAgeMs) return entry.notice;
    const next: Entry = { stamp, at: this.now(), notice: this.compute(workspace) };
    this.entries.set(workspace, next);
    // A failed check is not reused: the next search works it out again.
    next.notice.catch(() => {
      if (this.entries.get(workspace) === next) this.entries.delete(workspace);
    });
    return next.notice;
  }
}
