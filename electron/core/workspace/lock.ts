import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { writeJsonAtomic } from './atomic-write';
import { removeLeftovers } from './leftovers';

/**
 * One writer per workspace. Every phase and every review edit runs inside withWorkspaceLock, so two `run`s, a
 * `run` and the app, or two app instances can never interleave their writes. The lock is a proper-lockfile
 * directory refreshed by a timer, beside a record of its holder (pid, host). Ctrl-C and normal exits remove it at
 * once (proper-lockfile's exit hook). A holder killed with SIGKILL leaves it behind: when the record names a
 * process of this machine that no longer exists, the lock is taken over at once; a holder on another machine (a
 * workspace on a shared folder) cannot be asked, so its lock is taken over once it has not been refreshed for the
 * stale time. The new holder then removes what the dead writer left half-written (see leftovers.ts).
 */

/**
 * Long enough that a phase blocking the event loop (a large faiss build, synchronous metrics) does not lose the
 * lock, short enough that a holder that died on another machine blocks the workspace for half a minute only.
 */
export const WORKSPACE_LOCK_STALE_MS = 30_000;
const LOCK_NAME = '.carlens.lock';
const HOLDER_NAME = '.carlens.lock-holder.json';

export interface WorkspaceLockOptions {
  /** Age after which a lock that is no longer refreshed counts as abandoned (proper-lockfile's minimum is 2 s). */
  staleMs?: number;
}

const holderSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  /** What the holder is doing, e.g. "carlens run" or "CarLens app: reject crop X". */
  what: z.string(),
  /** The holder's command line, shortened. */
  command: z.string(),
  started_at: z.string(),
});
export type LockHolder = z.infer<typeof holderSchema>;

export class WorkspaceBusyError extends Error {
  override name = 'WorkspaceBusyError';
  readonly code = 'EWORKSPACEBUSY';
  constructor(
    message: string,
    readonly workspace: string,
    readonly holder: LockHolder | null,
  ) {
    super(message);
  }
}

export function workspaceLockPaths(workspace: string): { root: string; lock: string; holder: string } {
  const root = resolve(workspace);
  return { root, lock: join(root, LOCK_NAME), holder: join(root, HOLDER_NAME) };
}

interface Holding {
  release: () => Promise<void>;
  holder: LockHolder;
  holderPath: string;
  /** Set when proper-lockfile could not keep the lock fresh (event loop blocked past the stale time, lock removed). */
  compromised: Error | null;
}

/** Locks this thread holds, by workspace root. */
const held = new Map<string, Holding>();
/** The holdings the current async call chain runs inside: what makes a nested call re-entrant. */
const context = new AsyncLocalStorage<ReadonlyMap<string, Holding>>();

/** True when the current call chain runs inside withWorkspaceLock for this workspace. */
export function holdsWorkspaceLock(workspace: string): boolean {
  const { root } = workspaceLockPaths(workspace);
  const holding = context.getStore()?.get(root);
  // A callback that outlived its lock keeps the store; only the live holding counts.
  return holding !== undefined && held.get(root) === holding;
}

/**
 * Runs `fn` as the only writer of `workspace`. Nested calls from inside `fn` (a pipeline run calling the phases,
 * an edit calling the index) run directly. Any other writer, in another process or elsewhere in this one, is
 * refused at once with a WorkspaceBusyError naming the holder, rather than queued behind a run of many minutes.
 */
export async function withWorkspaceLock<T>(workspace: string, what: string, fn: () => Promise<T>, options: WorkspaceLockOptions = {}): Promise<T> {
  const { root } = workspaceLockPaths(workspace);
  if (holdsWorkspaceLock(root)) return fn();
  const holding = await acquire(root, what, options);
  try {
    const result = await context.run(new Map([...(context.getStore() ?? []), [root, holding]]), fn);
    if (holding.compromised) {
      throw new Error(
        `the lock of workspace ${root} was lost while ${what} was writing (${holding.compromised.message}); another writer may have changed the workspace meanwhile: run it again`,
      );
    }
    return result;
  } finally {
    await releaseHolding(root, holding);
  }
}

async function acquire(root: string, what: string, options: WorkspaceLockOptions): Promise<Holding> {
  const paths = workspaceLockPaths(root);
  const inProcess = held.get(root);
  if (inProcess) throw busyError(root, inProcess.holder, 0);
  const holder: LockHolder = { pid: process.pid, host: hostname(), what, command: commandLine(), started_at: new Date().toISOString() };
  let locked = false;
  const holding: Holding = { release: async () => undefined, holder, holderPath: paths.holder, compromised: null };
  // Registered before the first await: a second writer of this process arriving meanwhile is told who holds it.
  held.set(root, holding);
  try {
    await mkdir(root, { recursive: true });
    const staleMs = options.staleMs ?? WORKSPACE_LOCK_STALE_MS;
    const lockOnce = (): Promise<() => Promise<void>> =>
      lockfile.lock(root, {
        lockfilePath: paths.lock,
        realpath: false,
        stale: staleMs,
        retries: 0,
        // proper-lockfile's default throws from a timer, which would kill the process: record it, fail at the end.
        onCompromised: (error) => {
          holding.compromised = error;
          process.emitWarning(`workspace lock ${paths.lock} compromised: ${error.message}`);
        },
      });
    const refused = (error: NodeJS.ErrnoException): never => {
      throw error.code === 'ELOCKED' ? busyError(root, readHolder(paths.holder), staleMs) : error;
    };
    holding.release = await lockOnce().catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ELOCKED' || !(await removeLockOfDeadHolder(paths))) return refused(error);
      return lockOnce().catch(refused);
    });
    locked = true;
    await writeJsonAtomic(paths.holder, holder);
    await removeLeftovers(root).catch((error: Error) => process.emitWarning(`cleaning up ${root} after an interrupted writer: ${error.message}`));
    return holding;
  } catch (error) {
    if (locked) await releaseHolding(root, holding);
    else if (held.get(root) === holding) held.delete(root);
    throw error;
  }
}

async function releaseHolding(root: string, holding: Holding): Promise<void> {
  if (held.get(root) === holding) held.delete(root);
  // The record goes first, while the lock is still ours, so a successor's record is never removed.
  if (!holding.compromised) await rm(holding.holderPath, { force: true });
  await holding.release().catch((error: NodeJS.ErrnoException) => {
    // A compromised lock is already released; anything else is worth knowing but must not hide fn's outcome.
    if (error.code !== 'ERELEASED') process.emitWarning(`releasing ${holding.holderPath}: ${error.message}`);
  });
}

// proper-lockfile removes its lock directories on exit; the holder records go with them.
process.once('exit', () => {
  for (const holding of held.values()) rmSync(holding.holderPath, { force: true });
});

/** The recorded holder of a workspace's lock, or null when none is recorded (or the record is unreadable). */
export function readHolder(holderPath: string): LockHolder | null {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(readFileSync(holderPath, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function commandLine(): string {
  const [exe, ...args] = process.argv;
  const text = [basename(exe ?? 'node'), ...args.map((a) => (a.includes('/') ? basename(a) : a))].join(' ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** "10:02:11" today, "2025-03-04 10:02:11" on another day (local time, what the person at the machine reads). */
function since(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay ? time : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

/**
 * Removes the lock left by a holder that was killed on this machine (its recorded pid is gone), so the caller can
 * take it at once instead of waiting for the stale time. The record is read again just before, so a lock another
 * writer has taken over meanwhile (with its own record) is not removed. False when the holder may still run.
 */
async function removeLockOfDeadHolder(paths: { lock: string; holder: string }): Promise<boolean> {
  const holder = readHolder(paths.holder);
  if (!holder || holder.host !== hostname() || holder.pid === process.pid || isAlive(holder.pid)) return false;
  const again = readHolder(paths.holder);
  if (again?.pid !== holder.pid || again.started_at !== holder.started_at) return false;
  await rm(paths.lock, { recursive: true, force: true });
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function busyError(root: string, holder: LockHolder | null, staleMs: number): WorkspaceBusyError {
  if (!holder) {
    return new WorkspaceBusyError(`workspace ${root} is being written by another process (its holder is not recorded yet); wait for it to finish, or stop it`, root, null);
  }
  const who = `pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} (${holder.what}, since ${since(holder.started_at)})`;
  if (holder.pid === process.pid && holder.host === hostname()) {
    return new WorkspaceBusyError(`workspace ${root} is being written by this process, ${who}; wait for it to finish`, root, holder);
  }
  // A holder on another machine cannot be asked whether it still runs: its lock is taken over once stale.
  if (holder.host !== hostname()) {
    return new WorkspaceBusyError(
      `workspace ${root} is being written by ${who}, command: ${holder.command}; if that process is gone, its lock is taken over ${Math.round(staleMs / 1000)} s after its last refresh`,
      root,
      holder,
    );
  }
  return new WorkspaceBusyError(`workspace ${root} is being written by ${who}, command: ${holder.command}; wait for it to finish, or stop it`, root, holder);
}
