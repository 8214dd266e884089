import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicVia, writeJsonAtomic } from './atomic-write';

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

  it('names the file it could not write and keeps the errno code', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const underFile = join(blocker, 'data.json');
    // mkdir says EEXIST for a file in the way, open would say ENOTDIR: either way the code is the cause's.
    await expect(writeJsonAtomic(underFile, {})).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringMatching(new RegExp(`^${underFile}: not written \\(EEXIST`)) });
    const folder = join(dir, 'a-folder');
    await mkdir(folder);
    await expect(writeFileAtomic(folder, 'x')).rejects.toMatchObject({ message: expect.stringMatching(new RegExp(`^${folder}: not written \\(E(ISDIR|EXIST|NOTEMPTY)`)) });
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

/** A 64 KiB tmpfs, where root may mount one (a container without CAP_SYS_ADMIN may not). */
function smallDisk(path: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('writeFileAtomic on a full disk', () => {
  it('fails naming the file, keeps the old content and leaves no temp file (ENOSPC)', async (context) => {
    const disk = join(dir, 'disk');
    await mkdir(disk);
    if (!smallDisk(disk)) return context.skip();
    try {
      const path = join(disk, 'report.json');
      await writeFileAtomic(path, 'old report');
      const error = await writeFileAtomic(path, Buffer.alloc(256 * 1024, 1)).catch((e: NodeJS.ErrnoException) => e);
      expect(error).toMatchObject({ code: 'ENOSPC', message: expect.stringContaining(`${path}: not written (ENOSPC`) });
      expect(await readFile(path, 'utf8')).toBe('old report');
      expect(await readdir(disk)).toEqual(['report.json']);
    } finally {
      execFileSync('umount', [disk]);
    }
  });
});

describe('writeFileAtomicVia', () => {
  it('lets the writer fill a sibling temp path, then puts it in place and leaves no temp file', async () => {
    const folder = join(dir, 'via');
    const path = join(folder, 'index.bin');
    let written = '';
    await writeFileAtomicVia(path, (temp) => {
      written = temp;
      execFileSync('sh', ['-c', 'printf new > "$1"', 'sh', temp]);
    });
    expect(written).not.toBe(path);
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(folder)).toEqual(['index.bin']);
  });

  it('names the target, keeps the old file and removes the temp file when the writer fails half way', async () => {
    const folder = join(dir, 'via-fail');
    const path = join(folder, 'index.bin');
    await writeFileAtomic(path, 'old');
    const failing = writeFileAtomicVia(path, async (temp) => {
      await writeFile(temp, 'half');
      throw new Error('disk went away');
    });
    await expect(failing).rejects.toThrow(`${path}: not written (disk went away)`);
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(folder)).toEqual(['index.bin']);
  });
});
