import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type FixtureResult } from '../core/fixture/fixture';
import { AppService } from './app-service';

let dir: string;
let fixture: FixtureResult;
let service: AppService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-recent-'));
  fixture = await writeFixture(join(dir, 'dataset'), { ko: 2, ok: 1, seed: 3, width: 320, height: 240 });
  service = new AppService({ defaultWorkspace: join(dir, 'ws'), stateDir: join(dir, 'state') });
});
afterAll(async () => {
  await service.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('the recent workspaces list', () => {
  it('remembers what it opened, newest first, and drops what no longer exists', async () => {
    const other = join(dir, 'ws-other');
    await service.call('openDataset', { path: fixture.root, options: { workspace: other, state: 'damaged' } });
    await service.call('openDataset', { path: fixture.root });
    await service.call('openDataset', { path: fixture.root, options: { workspace: other } });
    const { workspaces, dropped } = await service.call('recentWorkspaces', {});
    expect(workspaces.map((w) => w.workspace)).toEqual([other, join(dir, 'ws')]);
    expect(workspaces[0]!.dataset).toEqual({ path: fixture.root, options: {} });
    expect(dropped).toEqual([]);
    const file = JSON.parse(await readFile(join(dir, 'state', 'recent-workspaces.json'), 'utf8')) as { version: number };
    expect(file.version).toBe(1);

    await rm(other, { recursive: true });
    const after = await service.call('recentWorkspaces', {});
    expect(after.workspaces.map((w) => w.workspace)).toEqual([join(dir, 'ws')]);
    expect(after.dropped).toEqual([other]);
    expect((await service.call('recentWorkspaces', {})).dropped).toEqual([]);
  });


  it('starts a new list when the stored one is damaged, and says so', async () => {
    await writeFile(join(dir, 'state', 'recent-workspaces.json'), '{ not json');
    const { workspaces, note } = await service.call('recentWorkspaces', {});
    expect(workspaces).toEqual([]);
    expect(note).toMatch(/^the list of recent workspaces could not be read and starts again \(.*recent-workspaces\.json: not valid JSON/);
    await service.call('openDataset', { path: fixture.root });
    expect((await service.call('recentWorkspaces', {})).workspaces.map((w) => w.workspace)).toEqual([join(dir, 'ws')]);
  });

  it('keeps nothing without a state folder', async () => {
    const forgetful = new AppService({ defaultWorkspace: join(dir, 'ws') });
    await forgetful.call('openDataset', { path: fixture.root });
    expect(await forgetful.call('recentWorkspaces', {})).toEqual({ workspaces: [], dropped: [], note: null });
    await forgetful.dispose();
  });
});
