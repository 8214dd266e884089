import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FREEZE = join(repo, 'electron', 'cli', 'reliability', 'freeze-before-rename.ts');

export interface CliProcess {
  child: ChildProcess;
  /** Resolves with the first stderr line (seen so far or to come) that `match` accepts; rejects if the CLI exits first. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  /** Exit code (null when killed), signal, and everything it wrote. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** The real CLI in a child process (Node with tsx's loader, from the repository root), its stderr read line by line. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', FREEZE, join(repo, 'electron', 'cli', 'index.ts'), ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  const waiters = new Set<{ match: (line: string) => boolean; done: (line: string) => void }>();
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const complete = stderr.split('\n').slice(0, -1);
    for (const line of complete.slice(lines.length)) {
      lines.push(line);
      for (const waiter of waiters) if (waiter.match(line)) waiter.done(line);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr })),
  );
  const waitForLine = (match: (line: string) => boolean): Promise<string> => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((done, fail) => {
      const waiter = { match, done: (line: string) => (waiters.delete(waiter), done(line)) };
      waiters.add(waiter);
      void exited.then(({ code, signal }) => {
        if (waiters.delete(waiter)) fail(new Error(`the CLI ended (code ${code}, signal ${signal}) before the awaited line; stderr:\n${stderr}`));
      });
    });
  };
  return { child, waitForLine, exited };
}

/** `<phase>: done/total (pct %)`, the progress line the CLI prints on a pipe, parsed; null for any other line. */
export function progressOf(line: string): { phase: string; done: number; total: number } | null {
  const match = /^(\w+): (\d+)\/(\d+) \(\d+ %\)$/.exec(line);
  return match ? { phase: match[1]!, done: Number(match[2]), total: Number(match[3]) } : null;
}
