import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_URL, readAppFile } from './app-files';

let dir: string;
let ui: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-app-files-'));
  ui = join(dir, 'renderer');
  await mkdir(join(ui, 'assets'), { recursive: true });
  await writeFile(join(ui, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(ui, 'assets', 'index.js'), 'export {};');
  await writeFile(join(dir, 'secret.txt'), 'not yours');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('app:// (the renderer in Electron)', () => {
  it('serves the build with its content type', async () => {
    const page = await readAppFile(ui, APP_URL);
    expect(page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect((await readAppFile(ui, 'app://carlens/')).status).toBe(200);
    expect(await readAppFile(ui, 'app://carlens/assets/index.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect((await readAppFile(ui, 'app://carlens/assets/missing.js')).status).toBe(404);
  });

  it('refuses traversal, other hosts and odd paths', async () => {
    for (const url of [
      'app://carlens/..%2Fsecret.txt',
      'app://carlens/assets/..%2F..%2Fsecret.txt',
      'app://carlens/%2e%2e/secret.txt',
      'app://carlens/assets%5C..%5C..%5Csecret.txt',
      'app://carlens/index.html%00.png',
      `app://carlens/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    ]) {
      const file = await readAppFile(ui, url);
      expect(file.status, url).not.toBe(200);
    }
    // The URL parser folds plain ../ into the app's own root: still only the build.
    expect((await readAppFile(ui, 'app://carlens/../secret.txt')).status).toBe(404);
    expect((await readAppFile(ui, 'app://evil/index.html')).status).toBe(404);
    expect((await readAppFile(ui, 'file:///etc/passwd')).status).toBe(404);
  });

});
