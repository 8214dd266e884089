import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContexts } from '../contexts';
import { runCrops } from '../crops';
import { loadDataset } from '../dataset/load';
import { runEmbeddings } from '../embedder/run';
import { writeTinyClip } from '../embedder/tiny-clip';
import { writeFixture } from '../fixture/fixture';
import { buildIndex } from '../index';
import { inspectPhoto } from './inspect';
import { openInspector, type OpenedInspector } from './parts';

/**
 * A workspace embedded with a CLIP-shaped model (aligned towers, `average` fusion) instead of the offline default:
 * the damage heads still judge the photo, and the windows are searched in that model's space.
 */
describe('inspection over a workspace embedded with a CLIP-family model', () => {
  let dir: string;
  let inspector: OpenedInspector;
  let photo: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-inspect-clip-'));
    const fixture = join(dir, 'fixture');
    await writeFixture(fixture, { ko: 3, ok: 2, seed: 5, width: 640, height: 480 });
    const dataset = await loadDataset(fixture);
    photo = dataset.photos.find((p) => p.state === 'damaged')!.imagePath;
    const workspace = join(dir, 'workspace');
    await runCrops({ dataset, workspace });
    await runContexts({ workspace });
    await runEmbeddings({ workspace, manifestPath: await writeTinyClip(join(dir, 'model')), fusion: { strategy: 'average' } });
    await buildIndex({ workspace });
    inspector = await openInspector(workspace);
  }, 120_000);
  afterAll(async () => {
    await inspector?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers with the heads and draws each window\'s neighbours from the CLIP index', async () => {
    expect(inspector.retrievalUnavailable).toBeNull();
    const result = await inspectPhoto(photo, inspector, { k: 3 });
    expect(result.models).toEqual({ heads: 'damage-heads-yolox-nano', embedder: 'tiny-clip-test' });
    expect(result.damage.probability).toBeGreaterThanOrEqual(0);
    expect(result.damage.probability).toBeLessThanOrEqual(1);
    expect(result.windows.length).toBeGreaterThan(0);
    for (const w of result.windows) expect(w.neighbours).toHaveLength(3);
  });
});
