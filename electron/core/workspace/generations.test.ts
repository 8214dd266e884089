import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write';
import { claimGeneration, liveGenerationDir, publishGeneration, readCurrent, writeNewGeneration } from './generations';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'carlens-generations-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A set of two files that must agree, as report.json and report.html must. */
const writePair = (text: string) => async (dir: string) => {
  await writeFileAtomic(join(dir, 'a.txt'), text);
  await writeFileAtomic(join(dir, 'b.txt'), text);
};

async function livePair(dir: string): Promise<string[]> {
  const live = liveGenerationDir(dir);
  return [await readFile(join(live, 'a.txt'), 'utf8'), await readFile(join(live, 'b.txt'), 'utf8')];
}

describe('generation store', () => {
  it('reads a folder of the flat layout as live until the first generation replaces its files', async () => {
    const dir = join(root, 'flat');
    await mkdir(dir);
    await writeFile(join(dir, 'a.txt'), 'flat');
    await writeFile(join(dir, 'b.txt'), 'flat');
    await writeFile(join(dir, 'notes.md'), 'not ours');
    expect(liveGenerationDir(dir)).toBe(dir);
    expect(await livePair(dir)).toEqual(['flat', 'flat']);

    const { generation } = await writeNewGeneration(dir, writePair('one'), { legacyFiles: ['a.txt', 'b.txt'] });
    expect(generation).toBe(1);
    expect(liveGenerationDir(dir)).toBe(join(dir, 'gen-1'));
    expect(await livePair(dir)).toEqual(['one', 'one']);
    expect((await readdir(dir)).sort()).toEqual(['current', 'gen-1', 'notes.md']);
  });

  it('keeps the previous set live and leaves nothing behind when a write fails half-way', async () => {
    const dir = join(root, 'failing');
    await writeNewGeneration(dir, writePair('one'));
    const failing = writeNewGeneration(dir, async (path) => {
      await writeFileAtomic(join(path, 'a.txt'), 'two');
      throw new Error('ENOSPC while writing b.txt');
    });
    await expect(failing).rejects.toThrow('ENOSPC while writing b.txt');
    expect(await livePair(dir)).toEqual(['one', 'one']);
    expect((await readdir(dir)).sort()).toEqual(['current', 'gen-1']);
  });

  it('prunes older generations, a killed writer\'s folder among them, only once a newer one is live', async () => {
    const dir = join(root, 'pruning');
    await writeNewGeneration(dir, writePair('one'));
    // A writer killed after claiming gen-2 and writing one file: never read, since `current` does not name it.
    const killed = await claimGeneration(dir);
    await writeFile(join(killed.path, 'a.txt'), 'half');
    expect(await livePair(dir)).toEqual(['one', 'one']);

    const next = await writeNewGeneration(dir, writePair('three'));
    expect(next.generation).toBe(3);
    expect(await livePair(dir)).toEqual(['three', 'three']);
    expect((await readdir(dir)).sort()).toEqual(['current', 'gen-3']);
  });

  it('never switches back to an older generation, and never touches a newer one being written', async () => {
    const dir = join(root, 'racing');
    const slow = await claimGeneration(dir);
    const fast = await claimGeneration(dir);
    expect([slow.generation, fast.generation]).toEqual([1, 2]);
    await writePair('fast')(fast.path);
    await publishGeneration(dir, fast.generation);
    await writePair('slow')(slow.path);
    await expect(publishGeneration(dir, slow.generation)).rejects.toThrow(`${dir}: generation 2 went live while generation 1 was being written; nothing was changed`);
    expect(await readCurrent(dir)).toBe(2);
    expect(await readdir(dir)).toEqual(['current', 'gen-2']);

    // A newer generation still being written survives the switch to an older one.
    const older = await claimGeneration(dir);
    const newer = await claimGeneration(dir);
    await writeFile(join(newer.path, 'a.txt'), 'in progress');
    await writePair('older')(older.path);
    await publishGeneration(dir, older.generation);
    expect((await readdir(dir)).sort()).toEqual(['current', `gen-${older.generation}`, `gen-${newer.generation}`]);
  });

  it('names a `current` that is not a generation pointer', async () => {
    const dir = join(root, 'bad-pointer');
    await mkdir(dir);
    await writeFile(join(dir, 'current'), 'report.json');
    expect(() => liveGenerationDir(dir)).toThrow(`${join(dir, 'current')}: expected "gen-<n>", found "report.json"`);
  });
});
