import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkspaceManifest, recordWorkspaceSources } from './manifest';
import { workspacePaths } from './workspace';

let ws: string;
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'carlens-manifest-'));
});
afterAll(() => rm(ws, { recursive: true, force: true }));

describe('workspace manifest', () => {
  it('is null before phase 1, then holds the sources with how they were read', async () => {
    expect(await readWorkspaceManifest(ws)).toBeNull();
    const sources = [{ path: '/data/bilgi', state: 'damaged' as const, labelMap: '/data/bilgi/labelmap.json' }, { path: '/data/car-parts', state: 'undamaged' as const }];
    await recordWorkspaceSources(ws, sources);
    const manifest = await readWorkspaceManifest(ws);
    expect(manifest).toMatchObject({ version: 1, sources });
    expect(Date.parse(manifest!.updated_at)).not.toBeNaN();
  });

  it('names the file when it is not a manifest', async () => {
    await writeFile(workspacePaths(ws).manifest, JSON.stringify({ version: 1, sources: [{ state: 'broken' }] }));
    await expect(readWorkspaceManifest(ws)).rejects.toThrow(/workspace\.json: not a CarLens workspace manifest/);
  });
});
