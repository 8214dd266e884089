import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerSession } from './session-worker';
import { tinyImageTower } from './tiny-clip';

describe('an ONNX session on a worker thread', () => {
  let dir: string;
  let model: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-session-worker-'));
    model = join(dir, 'tower.onnx');
    await writeFile(model, tinyImageTower(64, 16));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const input = () => new ort.Tensor('float32', Float32Array.from({ length: 2 * 3 * 64 * 64 }, (_, i) => ((i * 7919) % 255) / 255), [2, 3, 64, 64]);

  it('gives the bytes the same session gives on the calling thread, with runs in flight together', async () => {
    const here = await ort.InferenceSession.create(model);
    const expected = (await here.run({ pixel_values: input() })) as Record<string, ort.Tensor>;
    await here.release();
    const { session, provider } = await createWorkerSession(model, ['cpu']);
    try {
      expect(provider).toBe('cpu');
      const results = await Promise.all([session.run({ pixel_values: input() }), session.run({ pixel_values: input() })]);
      for (const result of results) {
        for (const [name, tensor] of Object.entries(expected)) {
          expect(result[name]!.dims).toEqual(tensor.dims);
          expect(Buffer.from((result[name]!.data as Float32Array).buffer)).toEqual(Buffer.from((tensor.data as Float32Array).buffer));
        }
      }
    } finally {
      await session.release();
    }
    await expect(session.run({ pixel_values: input() })).rejects.toThrow(/exited/);
  });

  it('refuses a file that is not a model, naming it', async () => {
    const bad = join(dir, 'not-a-model.onnx');
    await writeFile(bad, 'not onnx');
    await expect(createWorkerSession(bad, ['cpu'])).rejects.toThrow(/cannot load ONNX model .*not-a-model\.onnx/);
  });

  it('reports a run the model refuses (wrong input shape) as an error naming the model', async () => {
    const { session } = await createWorkerSession(model, ['cpu']);
    try {
      await expect(session.run({ pixel_values: new ort.Tensor('float32', new Float32Array(3), [1, 3, 1, 1]) })).rejects.toThrow(/ONNX run of .*tower\.onnx/);
    } finally {
      await session.release();
    }
  });
});
