import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { withWorkspaceLock } from '../workspace/lock';
import type { EmbeddingsProgress, EmbeddingsSummary, RunEmbeddingsOptions } from './run';

export type WorkerRequest = { type: 'cancel' };
export type WorkerMessage =
  | { type: 'progress'; progress: EmbeddingsProgress }
  | { type: 'done'; summary: EmbeddingsSummary }
  | { type: 'error'; message: string; cancelled: boolean };

export class EmbeddingCancelledError extends Error {
  override name = 'EmbeddingCancelledError';
}

/**
 * From TypeScript sources (tsx, vitest) the worker's entry is a .ts file that Node cannot load by itself, and
 * `execArgv: ['--import', 'tsx']` does not reach a worker's entry module in Node 20: a tiny bootstrap registers
 * tsx's loader inside the worker first. A bundled build ships embed-worker.js and starts it directly.
 */
function startWorker(options: Omit<RunEmbeddingsOptions, 'onProgress' | 'signal'>): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./embed-worker.js', import.meta.url), { workerData: options });
  const entry = new URL('./embed-worker.ts', import.meta.url).href;
  // Resolved here, so the worker finds tsx whatever the process's working directory; the ESM build of the API,
  // because its CommonJS build cannot be imported.
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(tsxPackage), 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: options });
}

/**
 * Runs phase 3 on a worker thread so that decoding and ONNX inference never block the caller's event loop (the
 * Electron main process, the HTTP service). Progress arrives as events; aborting `signal` asks the worker to stop
 * after its current batch (nothing goes live before the end; the finished batches stay for the next run to resume).
 * The workspace lock is taken here, in the calling thread, for as long as the worker runs: the worker runs the
 * phase without locking, and a caller already holding the lock (a pipeline run) re-enters it.
 */
export function runEmbeddingsInWorker(
  options: Omit<RunEmbeddingsOptions, 'onProgress' | 'signal'>,
  events: { onProgress?: (progress: EmbeddingsProgress) => void; signal?: AbortSignal } = {},
): Promise<EmbeddingsSummary> {
  if (events.signal?.aborted) return Promise.reject(new EmbeddingCancelledError('embedding cancelled before it started'));
  return withWorkspaceLock(options.workspace, 'phase 3 (embeddings)', () => embedInWorker(options, events));
}

function embedInWorker(
  options: Omit<RunEmbeddingsOptions, 'onProgress' | 'signal'>,
  { onProgress, signal }: { onProgress?: (progress: EmbeddingsProgress) => void; signal?: AbortSignal },
): Promise<EmbeddingsSummary> {
  const worker = startWorker(options);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      // Settled once the thread is gone, so the workspace lock is never released under a worker still running.
      void worker.terminate().finally(action);
    };
    const cancel = () => worker.postMessage({ type: 'cancel' } satisfies WorkerRequest);
    signal?.addEventListener('abort', cancel, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'done') finish(() => resolve(message.summary));
      else finish(() => reject(message.cancelled ? new EmbeddingCancelledError(message.message) : new Error(message.message)));
    });
    worker.on('error', (error) => finish(() => reject(new Error(`embedding worker failed: ${error.message}`, { cause: error }))));
    worker.on('exit', (code) => finish(() => reject(new Error(`embedding worker exited with code ${code} before finishing`))));
  });
}
