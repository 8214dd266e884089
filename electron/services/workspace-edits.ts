import { resolve } from 'node:path';
import { withWorkspaceLock } from '../core/workspace/lock';

/**
 * Review edits (crop reject/accept, context saves) of one workspace, one after another. Each edit is a
 * read-modify-write of crops.json, overrides.json, contexts.json and an index generation: two run side by side
 * would each start from the same state and the later write would drop the earlier edit. Requests that arrive
 * together therefore queue here (they are short), and each runs as the workspace's only writer, so a CLI run or
 * another app on the same workspace refuses them, or is refused, instead of interleaving.
 */
export class WorkspaceEdits {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(workspace: string, what: string, edit: () => Promise<T>): Promise<T> {
    const key = resolve(workspace);
    const task = () => withWorkspaceLock(key, what, edit);
    const run = (this.tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget a workspace once its queue is empty, so the map does not grow with every workspace ever opened.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  /** Resolves when every edit queued so far on the workspace has finished. */
  async drained(workspace: string): Promise<void> {
    await this.tails.get(resolve(workspace));
  }
}
