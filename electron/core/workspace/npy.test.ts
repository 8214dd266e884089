import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from './npy';

const numpyAvailable = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
if (!numpyAvailable) console.warn('npy.test: python3 + numpy not importable; skipping the numpy interoperability checks');

describe('npy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-npy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a float32 matrix with a 64-byte aligned header', async () => {
    const data = Float32Array.from({ length: 7 * 5 }, (_, i) => Math.sin(i) * 1e3 - i / 7);
    const path = join(dir, 'a.npy');
    await writeNpy(path, data, [7, 5]);
    const bytes = await readFile(path);
    const headerLength = bytes.readUInt16LE(8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes.length).toBe(10 + headerLength + data.byteLength);
    const back = await readNpy(path);
    expect(back.shape).toEqual([7, 5]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('round-trips an empty matrix', async () => {
    const path = join(dir, 'empty.npy');
    await writeNpy(path, new Float32Array(0), [0, 512]);
    const back = await readNpy(path);
    expect(back.shape).toEqual([0, 512]);
    expect(back.data.length).toBe(0);
  });

  it('rejects a shape that does not match the data', async () => {
    await expect(writeNpy(join(dir, 'bad.npy'), new Float32Array(6), [2, 4])).rejects.toThrow(/needs 8 values/);
  });

  it('names the file and the problem for bad input', async () => {
    const notNpy = join(dir, 'text.npy');
    await writeFile(notNpy, 'hello world, not numpy');
    await expect(readNpy(notNpy)).rejects.toThrow(`${notNpy}: not a .npy file`);

    const path = join(dir, 'f8.npy');
    await writeNpy(path, new Float32Array(4), [2, 2]);
    const bytes = await readFile(path);
    const f8 = join(dir, 'f8-changed.npy');
    await writeFile(f8, Buffer.from(bytes.toString('latin1').replace("'<f4'", "'<f8'"), 'latin1'));
    await expect(readNpy(f8)).rejects.toThrow(`${f8}: dtype <f8 is not supported`);

    const fortran = join(dir, 'fortran.npy');
    await writeFile(fortran, Buffer.from(bytes.toString('latin1').replace('False', 'True '), 'latin1'));
    await expect(readNpy(fortran)).rejects.toThrow(/Fortran-order/);

    const truncated = join(dir, 'truncated.npy');
    await writeFile(truncated, bytes.subarray(0, bytes.length - 4));
    await expect(readNpy(truncated)).rejects.toThrow(`${truncated}: .npy data is 12 bytes`);
  });

  it.skipIf(!numpyAvailable)('is read by numpy.load, and reads what numpy.save writes', async () => {
    const data = Float32Array.from({ length: 3 * 4 }, (_, i) => i * 0.25 - 1);
    const ours = join(dir, 'ours.npy');
    await writeNpy(ours, data, [3, 4]);
    const script = [
      'import sys, json, numpy as np',
      'a = np.load(sys.argv[1])',
      'print(json.dumps({"dtype": str(a.dtype), "shape": list(a.shape), "c": bool(a.flags.c_contiguous), "v": a.ravel().tolist()}))',
      'np.save(sys.argv[2], (np.arange(6, dtype=np.float32).reshape(2, 3) / 3))',
    ].join('\n');
    const theirs = join(dir, 'theirs.npy');
    const out = JSON.parse(execFileSync('python3', ['-c', script, ours, theirs], { encoding: 'utf8' }));
    expect(out).toEqual({ dtype: 'float32', shape: [3, 4], c: true, v: Array.from(data) });
    const back = await readNpy(theirs);
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(Float32Array.from([0, 1, 2, 3, 4, 5], (x) => x / 3)));
  });
});
