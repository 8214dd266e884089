import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDataFolder, publicMessage, resolveInside } from './path-guard';

describe('path guard', () => {
  it('serves nothing while a root is a disk root, the home folder or a system folder', async () => {
    await expect(resolveInside(['/'], '/etc/hostname')).rejects.toThrow(/the open folder \/ is the root of a disk/);
    await expect(resolveInside([tmpdir(), homedir()], join(homedir(), '.bashrc'))).rejects.toThrow(/refused/);
    await expect(resolveInside(['/usr'], '/usr/share/x.png', { imagesOnly: true })).rejects.toThrow(/refused/);
  });

  it('accepts a folder of its own, refuses the broad ones by their real path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'carlens-guard-'));
    try {
      await expect(assertDataFolder(dir, 'dataset folder')).resolves.toBeUndefined();
      await expect(assertDataFolder(join(dir, 'not-yet'), 'workspace')).resolves.toBeUndefined();
      await expect(assertDataFolder(join(dir, '..', '..'), 'dataset folder')).rejects.toThrow(/root of a disk/);
      await expect(assertDataFolder('/var', 'workspace')).rejects.toThrow(/\/var is a system folder: open a workspace of its own/);
      await writeFile(join(dir, 'a.png'), 'not a png');
      // An image name whose header does not read is left to the caller's own check (as before).
      expect(await resolveInside([dir], 'a.png', { imagesOnly: true })).toMatch(/a\.png$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cuts file contents out of error messages', () => {
    let parse = '';
    try {
      JSON.parse('root:x:0:0:root:/root:/bin/bash');
    } catch (error) {
      parse = (error as Error).message;
    }
    expect(publicMessage(`label map /etc/passwd: ${parse}`)).toBe('label map /etc/passwd: unexpected content: not valid JSON');
    expect(publicMessage("zone table z.csv: the header must name the columns 'image' and 'zone' (found: root:x:0:0:root)")).toBe(
      "zone table z.csv: the header must name the columns 'image' and 'zone'",
    );
    expect(publicMessage('no dataset is open: open one first')).toBe('no dataset is open: open one first');
  });
});
