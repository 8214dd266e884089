import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type FixtureResult } from '../core/fixture/fixture';
import { AppService } from './app-service';
import { OpenRefusedError } from './open-checks';

let dir: string;
let fixture: FixtureResult;
let service: AppService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-open-'));
  fixture = await writeFixture(join(dir, 'dataset'), { ko: 2, ok: 1, seed: 3, width: 320, height: 240 });
  service = new AppService({ defaultWorkspace: join(dir, 'ws'), stateDir: join(dir, 'state') });
});
afterAll(async () => {
  await service.dispose();
  await rm(dir, { recursive: true, force: true });
});

const refusal = async (request: Parameters<AppService['call']>[1], channel: 'openDataset' | 'openWorkspace' = 'openDataset') => {
  const error = (await service.call(channel, request).then(() => null, (e: unknown) => e)) as Error | null;
  expect(error).toBeInstanceOf(OpenRefusedError);
  return error!.message;
};

describe('opening in plain words', () => {
  it('refuses a relative path, showing the full path it most likely means', async () => {
    expect(await refusal({ path: 'datasets/flickr' })).toBe(
      `the dataset folder 'datasets/flickr' is not a full path: type the whole path from the top, e.g. ${join(homedir(), 'datasets/flickr')} (or ~/datasets/flickr)`,
    );
    expect(await refusal({ path: fixture.root, options: { workspace: 'ws-here' } })).toMatch(/^the workspace 'ws-here' is not a full path: .* e\.g\. \//);
    expect(await refusal({ path: 'built' }, 'openWorkspace')).toMatch(/^the workspace 'built' is not a full path/);
    // `~` is the home folder, which itself is never opened.
    await expect(service.call('openDataset', { path: '~' })).rejects.toThrow(/is your home folder/);
  });

  it('names the label map or zone table it looked for, never a raw ENOENT', async () => {
    const plain = join(dir, 'plain');
    await mkdir(plain);
    expect(await refusal({ path: plain, options: { labelMap: 'nomap.json' } })).toBe(
      `label map ${join(plain, 'nomap.json')} not found: name a file in the dataset folder (e.g. labelmap.json) or give its full path`,
    );
    expect(await refusal({ path: plain, options: { zones: 'maps' } })).toMatch(/^zone table .*\/plain\/maps not found/);
    await mkdir(join(plain, 'maps'));
    expect(await refusal({ path: plain, options: { zones: 'maps' } })).toBe(`zone table ${join(plain, 'maps')} is a folder, not a file: name the zone table file itself (e.g. zones.csv)`);
  });

  it('refuses a folder without photos, saying what it holds instead', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    expect(await refusal({ path: empty })).toMatch(/^the dataset folder .*\/empty is empty: choose the folder that holds the JPEG, PNG/);
    const parent = join(dir, 'parent');
    await mkdir(join(parent, 'bilgi'), { recursive: true });
    await mkdir(join(parent, 'flickr'));
    expect(await refusal({ path: parent })).toBe(`${parent} holds no photos itself, only folders bilgi, flickr: open the one that holds the photos`);
    const notes = join(dir, 'notes');
    await mkdir(notes);
    await writeFile(join(notes, 'a.txt'), 'text');
    await writeFile(join(notes, 'b.jpg'), 'not a photo');
    expect(await refusal({ path: notes })).toMatch(/ holds no photo CarLens can read \(2 files; expected JPEG.*\); 1 files were refused, e\.g\. b\.jpg: /);
    // Nothing was opened by any of these.
    expect(await service.call('currentDataset', {})).toBeNull();
  });

});
