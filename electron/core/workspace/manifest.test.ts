import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkspaceManifest, updateWorkspaceManifest, withPrefixes } from './manifest';
import { workspacePaths } from './workspace';

let ws: string;
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'carlens-manifest-'));
});
afterAll(() => rm(ws, { recursive: true, force: true }));

const V1 = {
  version: 1,
  sources: [{ path: '/data/bilgi', state: 'damaged', labelMap: '/data/bilgi/labelmap.json' }, { path: '/data/car-parts', state: 'undamaged' }],
  updated_at: '2024-05-01T10:00:00.000Z',
};

describe('workspace manifest', () => {
  it('is null before anything recorded it', async () => {
    expect(await readWorkspaceManifest(ws)).toBeNull();
  });

  it('reads version 1 as version 2: the sources with the ids phase 1 gave them, added when it was written, no phase states', async () => {
    await writeFile(workspacePaths(ws).manifest, JSON.stringify(V1));
    expect(await readWorkspaceManifest(ws)).toEqual({
      version: 2,
      sources: [
        { ...V1.sources[0], prefix: 'bilgi', added_at: V1.updated_at },
        { ...V1.sources[1], prefix: 'car-parts', added_at: V1.updated_at },
      ],
      model: null,
      phases: {},
      updated_at: V1.updated_at,
    });
    // Read only: the file stays version 1 until the next write.
    expect(JSON.parse(await readFile(workspacePaths(ws).manifest, 'utf8')).version).toBe(1);
  });

  it('writes version 2 on the next change, keeping what version 1 held', async () => {
    await updateWorkspaceManifest(ws, 'test', (m) => {
      m.model = { id: 'model-x', fusion: 'concat', dim: 8 };
    });
    const written = JSON.parse(await readFile(workspacePaths(ws).manifest, 'utf8'));
    expect(written).toMatchObject({ version: 2, model: { id: 'model-x' }, phases: {} });
    expect(written.sources.map((s: { prefix: string }) => s.prefix)).toEqual(['bilgi', 'car-parts']);
    expect(Date.parse(written.updated_at)).toBeGreaterThan(Date.parse(V1.updated_at));
  });

  it('gives one source plain ids and several their folder names, unless their prefixes are fixed', () => {
    expect(withPrefixes([{ path: '/a/one' }]).map((s) => s.prefix)).toEqual([null]);
    expect(withPrefixes([{ path: '/a/one' }, { path: '/b/two' }]).map((s) => s.prefix)).toEqual(['one', 'two']);
    expect(withPrefixes([{ path: '/a/one', prefix: null }, { path: '/b/two', prefix: 'two' }]).map((s) => s.prefix)).toEqual([null, 'two']);
  });

  it('names the file when it is not a manifest', async () => {
    await writeFile(workspacePaths(ws).manifest, JSON.stringify({ version: 1, sources: [{ state: 'broken' }] }));
    await expect(readWorkspaceManifest(ws)).rejects.toThrow(/workspace\.json: not a CarLens workspace manifest/);
    await writeFile(workspacePaths(ws).manifest, JSON.stringify({ version: 3 }));
    await expect(readWorkspaceManifest(ws)).rejects.toThrow(/workspace\.json: not a CarLens workspace manifest/);
  });
});
