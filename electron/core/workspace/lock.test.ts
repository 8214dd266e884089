import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContexts } from '../contexts';
import { writeFixture } from '../fixture/fixture';
import { runPipeline, type PipelinePhase } from '../pipeline/pipeline';
import { holdsWorkspaceLock, readHolder, withWorkspaceLock, WorkspaceBusyError, workspaceLockPaths, type LockHolder } from './lock';
import { workspacePaths } from './workspace';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const lockModule = pathToFileURL(join(repo, 'electron', 'core', 'workspace', 'lock.ts')).href;
let dir: string;
let holderScript: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-lock-'));
  // Another process holding a workspace: takes the lock as `what`, says so, then waits until killed.
  holderScript = join(dir, 'hold.mts');
  await writeFile(
    holderScript,
    `import { withWorkspaceLock } from ${JSON.stringify(lockModule)};
const [workspace, what, stale] = process.argv.slice(2);
await withWorkspaceLock(workspace, what, () => new Promise(() => { console.log('locked'); setInterval(() => undefined, 1000); }), { staleMs: Number(stale) });
`,
  );
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Node with tsx's loader, from the repository root (where tsx is installed). */
function spawnTsx(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Starts a holder process and resolves once it holds the lock. */
async function holdInAnotherProcess(workspace: string, what: string, staleMs: number): Promise<ChildProcess> {
  const child = spawnTsx([holderScript, workspace, what, String(staleMs)]);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && done());
    child.on('exit', (code) => fail(new Error(`holder exited with ${code}: ${stderr}`)));
  });
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
}

describe('workspace lock', () => {
  it('refuses a phase while another process holds the workspace, naming its pid and command; nothing is written', async () => {
    const ws = join(dir, 'busy');
    await writeFixture(join(dir, 'busy-data'), { ko: 2, ok: 1, seed: 3, width: 320, height: 240 });
    const holder = await holdInAnotherProcess(ws, 'carlens run', 30_000);
    const recorded = readHolder(workspaceLockPaths(ws).holder) as LockHolder;
    expect(recorded).toMatchObject({ pid: holder.pid, what: 'carlens run' });
    expect(recorded.command).toContain('hold.mts');

    // In this process: the phase's core entry point is refused at once.
    const refused = await runContexts({ workspace: ws }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkspaceBusyError);
    expect((refused as Error).message).toMatch(new RegExp(`workspace ${ws} is being written by pid ${holder.pid} \\(carlens run, since \\d\\d:\\d\\d:\\d\\d\\).*wait for it to finish, or stop it`));

    // A second process: the real CLI's `crops` exits 1 with the same message and writes nothing.
    const cli = await exited(spawnTsx([join(repo, 'electron', 'cli', 'index.ts'), 'crops', join(dir, 'busy-data'), '--workspace', ws]));
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`is being written by pid ${holder.pid} (carlens run, since`);
    expect(existsSync(workspacePaths(ws).cropsDir)).toBe(false);
    expect(existsSync(workspacePaths(ws).contexts)).toBe(false);
    // The holder's record is untouched by the refused writers.
    expect(readHolder(workspaceLockPaths(ws).holder)).toEqual(recorded);

    holder.kill('SIGTERM');
    await new Promise((done) => holder.once('exit', done));
  }, 60_000);

  it('takes over at once the lock of a holder killed with SIGKILL on this machine, and removes its half-written files', async () => {
    const ws = join(dir, 'killed');
    const holder = await holdInAnotherProcess(ws, 'carlens embed', 30_000);
    holder.kill('SIGKILL');
    await new Promise((done) => holder.once('exit', done));
    // The lock directory is left behind (a SIGKILL runs no exit hook), and so are the temp files of its writes.
    expect(existsSync(workspaceLockPaths(ws).lock)).toBe(true);
    const leftovers = [join(ws, 'crops', 'images', '.a_c0123456789.jpg.0123456789ab.tmp'), join(ws, 'contexts', '.contexts.json.0123456789ab.tmp'), join(ws, '.workspace.json.0123456789ab.tmp')];
    // A dropped query photo is written without the lock: its temp file may belong to a live writer.
    const unlocked = join(ws, 'queries', '.photo.jpg.0123456789ab.tmp');
    for (const path of [...leftovers, unlocked]) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, 'half');
    }

    const started = Date.now();
    const seen = await withWorkspaceLock(ws, 'taking over', async () => readHolder(workspaceLockPaths(ws).holder));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toMatchObject({ pid: process.pid, what: 'taking over' });
    expect(leftovers.filter((path) => existsSync(path))).toEqual([]);
    expect(existsSync(unlocked)).toBe(true);
    expect(existsSync(workspaceLockPaths(ws).lock)).toBe(false);
    expect(existsSync(workspaceLockPaths(ws).holder)).toBe(false);
  }, 30_000);

  it('waits for the stale time before taking over the lock of a holder on another machine', async () => {
    const ws = join(dir, 'remote');
    const staleMs = 2_000;
    const holder = await holdInAnotherProcess(ws, 'carlens run', staleMs);
    holder.kill('SIGKILL');
    await new Promise((done) => holder.once('exit', done));
    // As a workspace on a shared folder would show it: the holder ran on another host, whose pids mean nothing here.
    const record = readHolder(workspaceLockPaths(ws).holder) as LockHolder;
    await writeFile(workspaceLockPaths(ws).holder, JSON.stringify({ ...record, host: 'other-machine' }));

    const early = await withWorkspaceLock(ws, 'test', async () => 'ran', { staleMs }).catch((error: Error) => error);
    expect(early).toBeInstanceOf(WorkspaceBusyError);
    expect((early as Error).message).toContain(`pid ${record.pid} on other-machine (carlens run, since`);
    expect((early as Error).message).toContain('its lock is taken over 2 s after its last refresh');

    // Taken over once the last refresh is staleMs old (proper-lockfile may date a refresh up to 1 s ahead).
    const killedAt = Date.now();
    let seen: LockHolder | null = null;
    while (!seen && Date.now() - killedAt < staleMs + 3_000) {
      await new Promise((done) => setTimeout(done, 200));
      seen = await withWorkspaceLock(ws, 'taking over', async () => readHolder(workspaceLockPaths(ws).holder), { staleMs }).catch((error: Error) => {
        if (!(error instanceof WorkspaceBusyError)) throw error;
        return null;
      });
    }
    expect(seen).toMatchObject({ pid: process.pid, what: 'taking over' });
    expect(existsSync(workspaceLockPaths(ws).lock)).toBe(false);
  }, 30_000);

  it('is re-entrant along one call chain and refuses an unrelated writer of the same process', async () => {
    const ws = join(dir, 'nested');
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((done) => (entered = done));
    const outer = withWorkspaceLock(ws, 'outer', async () => {
      expect(holdsWorkspaceLock(ws)).toBe(true);
      const inner = await withWorkspaceLock(ws, 'inner', async () => 'inner ran');
      await new Promise<void>((done) => {
        release = done;
        entered();
      });
      return inner;
    });
    await inside;
    expect(holdsWorkspaceLock(ws)).toBe(false);
    await expect(withWorkspaceLock(ws, 'other', async () => 'x')).rejects.toThrow(/being written by this process, pid \d+ \(outer, since/);
    release();
    expect(await outer).toBe('inner ran');
    expect(await withWorkspaceLock(ws, 'after', async () => 'free again')).toBe('free again');
  });

  it('runs phases 1-4 of runPipeline under one lock', async () => {
    const ws = join(dir, 'pipeline');
    const data = join(dir, 'pipeline-data');
    await writeFixture(data, { ko: 3, ok: 2, seed: 5, width: 320, height: 240 });
    const holders = new Map<PipelinePhase, string>();
    const summary = await runPipeline({
      sources: [{ path: data }],
      workspace: ws,
      phases: ['crops', 'contexts', 'embed', 'index'],
      onProgress: ({ phase }) => {
        if (holders.has(phase)) return;
        const holder = readHolder(workspaceLockPaths(ws).holder);
        holders.set(phase, holder ? `${holder.pid} ${holder.what} ${holder.started_at}` : 'none');
      },
    });
    expect(summary.index?.count).toBeGreaterThan(0);
    expect([...holders.keys()]).toEqual(['crops', 'contexts', 'embed', 'index']);
    expect(new Set(holders.values()).size).toBe(1);
    expect([...holders.values()][0]).toMatch(new RegExp(`^${process.pid} pipeline run \\(crops, contexts, embed, index\\) `));
    expect(existsSync(workspaceLockPaths(ws).lock)).toBe(false);
    expect(existsSync(workspaceLockPaths(ws).holder)).toBe(false);
    expect(JSON.parse(await readFile(join(workspacePaths(ws).indexDir, 'gen-1', 'config.json'), 'utf8')).count).toBe(summary.index?.count);
  }, 120_000);
});
