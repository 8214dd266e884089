export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
  current: string | null;
}

export type ProgressReporter = ((p: ProgressEvent) => void) & { end(): void };

/** One updating line on a terminal; on a pipe or log file, a plain line every 10 % (or 5 s) instead. */
export function progressReporter(stream: NodeJS.WritableStream): ProgressReporter {
  const tty = Boolean((stream as NodeJS.WriteStream).isTTY);
  let lastLine = 0;
  let lastKey = '';
  let drawn = false;
  const report = ((p: ProgressEvent) => {
    const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
    if (tty) {
      const width = 30;
      const filled = Math.round((width * pct) / 100);
      const line = `${p.phase} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${p.done}/${p.total} ${p.current ?? ''}`;
      const columns = (stream as NodeJS.WriteStream).columns || 100;
      stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
      drawn = true;
      return;
    }
    const key = `${p.phase}:${Math.floor(pct / 10)}`;
    if (key !== lastKey || Date.now() - lastLine > 5000 || p.done === p.total) {
      stream.write(`${p.phase}: ${p.done}/${p.total} (${pct} %)\n`);
      lastKey = key;
      lastLine = Date.now();
    }
  }) as ProgressReporter;
  report.end = () => {
    if (drawn) stream.write('\n');
    drawn = false;
  };
  return report;
}

/** Aborts on Ctrl-C so a phase can stop between photos and keep what it finished. */
export function abortOnInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
