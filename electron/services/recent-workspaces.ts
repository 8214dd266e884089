import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../core/workspace/atomic-write';
import { readJsonFile } from '../core/workspace/json-file';
import { RecentWorkspaceDto } from '../shared/dtos';

export type RecentWorkspace = z.infer<typeof RecentWorkspaceDto>;
export interface RecentList {
  workspaces: RecentWorkspace[];
  /** Workspaces (or their dataset folders) that no longer exist, taken off the list by this call. */
  dropped: string[];
  /** Why the list could not be read, when it could not (it then starts again). */
  note: string | null;
}

const RecentFile = z.object({ version: z.literal(1), workspaces: z.array(RecentWorkspaceDto) });
/** The list stays short: it is for one click back to recent work, not a history. */
const KEPT = 12;

/**
 * The app's state folder when none is given: CARLENS_STATE_DIR, else carlens/ in the user's config folder
 * (XDG_CONFIG_HOME or ~/.config). Electron's main passes app.getPath('userData') instead.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CARLENS_STATE_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'carlens');
}

/**
 * The workspaces this app opened (a workspace the pipeline built, or a dataset folder with the workspace it writes
 * to and how it was read), newest first, in recent-workspaces.json in the app's state folder, written atomically.
 * Without a state folder nothing is remembered (tests, and any caller that does not want it).
 */
export class RecentWorkspaces {
  private readonly file: string | null;
  /** Writes one at a time, so two opens in quick succession both land. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string | null) {
    this.file = stateDir === null ? null : join(stateDir, 'recent-workspaces.json');
  }

  remember(entry: Omit<RecentWorkspace, 'openedAt'>): Promise<void> {
    return this.serially(async () => {
      if (!this.file) return;
      const { workspaces } = await this.read();
      const next = [{ ...entry, openedAt: new Date().toISOString() }, ...workspaces.filter((w) => w.workspace !== entry.workspace)];
      await writeJsonAtomic(this.file, { version: 1, workspaces: next.slice(0, KEPT) });
    });
  }

  /** The list, without the entries whose workspace or dataset folder is gone (the file is rewritten without them). */
  list(): Promise<RecentList> {
    return this.serially(async () => {
      if (!this.file) return { workspaces: [], dropped: [], note: null };
      const { workspaces, note } = await this.read();
      const gone = (w: RecentWorkspace) => !existsSync(w.workspace) || (w.dataset !== null && !existsSync(w.dataset.path));
      const dropped = workspaces.filter(gone);
      const kept = workspaces.filter((w) => !gone(w));
      if (dropped.length > 0) await writeJsonAtomic(this.file, { version: 1, workspaces: kept });
      return { workspaces: kept, dropped: dropped.map((w) => (existsSync(w.workspace) ? w.dataset!.path : w.workspace)), note };
    });
  }

  private async read(): Promise<{ workspaces: RecentWorkspace[]; note: string | null }> {
    try {
      return { workspaces: (await readJsonFile(this.file!, RecentFile, 'a list of recent workspaces'))?.workspaces ?? [], note: null };
    } catch (error) {
      // A damaged list only costs the shortcuts: say so and start a new one rather than block opening anything.
      return { workspaces: [], note: `the list of recent workspaces could not be read and starts again (${(error as Error).message})` };
    }
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
