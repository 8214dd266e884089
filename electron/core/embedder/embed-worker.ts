import { parentPort, workerData } from 'node:worker_threads';
import { embedWorkspace, type RunEmbeddingsOptions } from './run';
import type { WorkerMessage, WorkerRequest } from './worker';

/** Worker-thread side of runEmbeddingsInWorker: runs phase 3 and reports progress, the summary or the error. */
const port = parentPort!;
const controller = new AbortController();
port.on('message', (message: WorkerRequest) => {
  if (message.type === 'cancel') controller.abort(new Error('embedding cancelled'));
});
const post = (message: WorkerMessage) => port.postMessage(message);

embedWorkspace({
  ...(workerData as RunEmbeddingsOptions),
  signal: controller.signal,
  onProgress: (progress) => post({ type: 'progress', progress }),
}).then(
  (summary) => post({ type: 'done', summary }),
  (error: Error) => post({ type: 'error', message: error.message, cancelled: controller.signal.aborted }),
);
