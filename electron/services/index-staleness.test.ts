import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexStalenessCache, STALENESS_MAX_AGE_MS } from './index-staleness';

describe('IndexStalenessCache', () => {
  let workspace: string;
  let clock: number;
  let computed: number;
  let cache: IndexStalenessCache;

  beforeEach(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'carlens-staleness-'));
    await mkdir(join(workspace, 'index'));
    await writeFile(join(workspace, 'workspace.json'), '{}');
    await writeFile(join(workspace, 'index', 'current'), 'gen-1\n');
    clock = 0;
    computed = 0;
    cache = new IndexStalenessCache(
      async () => `check ${++computed}`,
      () => clock,
    );
  });
  afterEach(() => rm(workspace, { recursive: true, force: true }));

  it('works the notice out once while both files keep their stamps and the max age has not passed', async () => {
    expect(await cache.notice(workspace)).toBe('check 1');
    clock += STALENESS_MAX_AGE_MS - 1;
    expect(await cache.notice(workspace)).toBe('check 1');
    expect(computed).toBe(1);
    clock += 1;
    expect(await cache.notice(workspace)).toBe('check 2');
  });

  it('works it out again at once when a phase or an edit switches the index or rewrites workspace.json', async () => {
    await cache.notice(workspace);
    // A switch renames a fresh file over the pointer: a new inode, whatever the contents.
    await writeFile(join(workspace, 'index', 'next'), 'gen-2\n');
    const { rename } = await import('node:fs/promises');
    await rename(join(workspace, 'index', 'next'), join(workspace, 'index', 'current'));
    expect(await cache.notice(workspace)).toBe('check 2');
    await writeFile(join(workspace, 'workspace.json'), '{"sources":[]}');
    expect(await cache.notice(workspace)).toBe('check 3');
  });

  it('does not keep a failed check', async () => {
    let fail = true;
    const failing = new IndexStalenessCache(async () => {
      if (fail) throw new Error('workspace.json: unreadable');
      return null;
    }, () => clock);
    await expect(failing.notice(workspace)).rejects.toThrow('unreadable');
    fail = false;
    expect(await failing.notice(workspace)).toBeNull();
  });
});
