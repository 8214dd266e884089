import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';

/** What the embedder needs of an ONNX session: run it, release it. */
export interface TowerSession {
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

/**
 * The worker's session does not let its intra-op threads spin while waiting for work: beside it the calling thread
 * decodes and prepares the next images, and spinning threads took those cores for nothing (phase 3 on 2 cores,
 * medians of alternating runs: 22.1 → 17.8 CPU-ms and 10.3 → 8.8 wall-ms a crop). How they wait changes no result.
 */
const WORKER_SESSION_OPTIONS = { extra: { session: { intra_op: { allow_spinning: '0' } } } } as const;

type Reply =
  | { type: 'ready'; provider: string }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; outputs: Record<string, { data: Float32Array; dims: number[] }> }
  | { type: 'error'; id: number; message: string }
  | { type: 'released' };

/**
 * The worker's whole program, plain CommonJS JavaScript run with `eval`: no file to find or bundle, so it starts the
 * same from tsx (the CLI), Vitest and Electron's bundled main. onnxruntime-node is required by the absolute path
 * the calling thread resolved, so the worker's working directory does not matter.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ort);
let session = null;
async function create() {
  for (const provider of workerData.providers) {
    try {
      session = await ort.InferenceSession.create(workerData.model, { executionProviders: [provider], ...workerData.options });
      return parentPort.postMessage({ type: 'ready', provider });
    } catch (error) {
      if (provider === workerData.providers[workerData.providers.length - 1]) parentPort.postMessage({ type: 'failed', message: error.message });
    }
  }
}
parentPort.on('message', async (message) => {
  if (message.type === 'release') {
    await session?.release();
    return parentPort.postMessage({ type: 'released' });
  }
  try {
    const feeds = {};
    for (const [name, t] of Object.entries(message.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const result = await session.run(feeds);
    const outputs = {};
    for (const [name, t] of Object.entries(result)) outputs[name] = { data: t.data, dims: t.dims };
    parentPort.postMessage({ type: 'result', id: message.id, outputs });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id: message.id, message: error.message });
  }
});
create();
`;

/**
 * An ONNX session on its own worker thread. onnxruntime-node's run() computes on the thread that calls it, so in
 * the calling thread a tower run stalls everything else there: decoding the next images (whose results wait for
 * that thread), the Electron window, the HTTP service. Inputs are transferred, not copied. The worker holds the
 * process open only while a run is in flight.
 */
export async function createWorkerSession(model: string, providers: string[]): Promise<{ session: TowerSession; provider: string }> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ort: ortPath, model, providers, options: WORKER_SESSION_OPTIONS } });
  const pending = new Map<number, { resolve: (outputs: Record<string, { data: Float32Array; dims: number[] }>) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let released: (() => void) | null = null;
  let exited = false;
  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  const provider = await new Promise<string>((resolve, reject) => {
    worker.on('message', (reply: Reply) => {
      if (reply.type === 'ready') resolve(reply.provider);
      else if (reply.type === 'failed') reject(new Error(`cannot load ONNX model ${model}: ${reply.message}`));
      else if (reply.type === 'released') released?.();
      else {
        const call = pending.get(reply.id);
        pending.delete(reply.id);
        if (pending.size === 0) worker.unref();
        if (reply.type === 'result') call?.resolve(reply.outputs);
        else call?.reject(new Error(`ONNX run of ${model}: ${reply.message}`));
      }
    });
    worker.on('error', (error) => {
      reject(error);
      failAll(new Error(`ONNX worker of ${model} failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      exited = true;
      released?.();
      failAll(new Error(`ONNX worker of ${model} exited with code ${code}`));
    });
  }).catch(async (error: Error) => {
    await worker.terminate();
    throw error;
  });
  worker.unref();
  return {
    provider,
    session: {
      run(feeds) {
        const id = nextId++;
        const plain: Record<string, { type: string; data: unknown; dims: readonly number[] }> = {};
        const transfer = new Set<ArrayBuffer>();
        for (const [name, tensor] of Object.entries(feeds)) {
          plain[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
          transfer.add((tensor.data as Float32Array).buffer as ArrayBuffer);
        }
        return new Promise((resolve, reject) => {
          if (exited) return reject(new Error(`ONNX worker of ${model} has exited`));
          pending.set(id, { resolve, reject });
          worker.ref();
          worker.postMessage({ type: 'run', id, feeds: plain }, [...transfer]);
        });
      },
      async release() {
        if (!exited) {
          worker.ref();
          await new Promise<void>((resolve) => {
            released = resolve;
            worker.postMessage({ type: 'release' });
          });
        }
        await worker.terminate();
      },
    },
  };
}
