import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from './atomic-write';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-atomic-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeJsonAtomic', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const path = join(dir, 'sub', 'data.json');
    await writeJsonAtomic(path, { a: 1 });
    await writeJsonAtomic(path, { a: 2, b: [1, 2] });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: 2, b: [1, 2] });
    expect(await readdir(join(dir, 'sub'))).toEqual(['data.json']);
  });

  it('names the file and keeps the old one when the value cannot be serialised', async () => {
    const path = join(dir, 'kept.json');
    await writeJsonAtomic(path, { ok: true });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(writeJsonAtomic(path, cyclic)).rejects.toThrow(`${path}: cannot be written as one JSON document`);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ ok: true });
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
