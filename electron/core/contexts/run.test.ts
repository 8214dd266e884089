import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readCropsMetadata, writeCropsMetadata } from '../crops/metadata';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrops } from '../crops/run';
import { loadDataset } from '../dataset/load';
import { createCarLocator } from '../detector/index';
import { ZONES } from '../domain/zones';
import { writeFixture } from '../fixture/fixture';
import { loadClipTokenizer, type ClipTokenizer } from '../text/clip-tokenizer';
import { workspacePaths } from '../workspace/workspace';
import { CLEAN_SURFACE } from './describe';
import { clearContextOverride, setContextOverride } from './overrides';
import { runContexts, type ContextsFile } from './run';

/** Phase 1 with the real loader and car locator on the synthetic fixture, then phase 2 on its crops. */
describe('runContexts on the fixture dataset', () => {
  let dir: string;
  let ws: string;
  let tok: ClipTokenizer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-contexts-'));
    ws = join(dir, 'ws');
    await writeFixture(join(dir, 'dataset'), { ko: 5, ok: 3, seed: 3 });
    const locator = await createCarLocator();
    try {
      const summary = await runCrops({ dataset: await loadDataset(join(dir, 'dataset')), workspace: ws, locator });
      expect(summary.failures).toEqual([]);
    } finally {
      await locator.dispose();
    }
    tok = await loadClipTokenizer();
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('asks for phase 1 when there are no crops', async () => {
    await expect(runContexts({ workspace: join(dir, 'empty'), tokenizer: tok })).rejects.toThrow(/crops\.json not found: run crops first/);
  });

  it('gives every crop a text that fits, writes them atomically, and keeps hand edits across runs', async () => {
    const progress: number[] = [];
    const result = await runContexts({ workspace: ws, tokenizer: tok, onProgress: (p) => progress.push(p.done) });
    const damaged = result.crops.filter((c) => c.has_damage);
    const clean = result.crops.filter((c) => !c.has_damage);
    console.log(`contexts: ${result.crops.length} crops (${damaged.length} damaged, ${clean.length} clean), ${result.shortened} shortened`);
    expect(damaged.length).toBeGreaterThan(0);
    expect(clean.length).toBeGreaterThan(0);
    expect(result.failures).toEqual([]);
    expect(progress.at(-1)).toBe(result.crops.length);
    for (const c of result.crops) {
      const zone = ZONES[Number(c.vehicle_zone) as keyof typeof ZONES];
      expect(c.text_description!.startsWith(`Vehicle zone: ${zone.name} (`)).toBe(true);
      expect(c.text_description).toContain(c.has_damage ? `Affected part: ${c.specific_part}.` : `Inspected part: ${c.specific_part}.`);
      expect(tok.count(c.text_description!)).toBeLessThanOrEqual(77);
      expect(c.context_edited).toBe(false);
    }
    // Clean windows of damaged photos: clean texts, with the damaged photo's zone, never its damage.
    const windows = result.crops.filter((c) => c.origin === 'damaged_photo_clean_window');
    expect(windows.length).toBeGreaterThan(0);
    for (const c of windows) {
      expect(c.text_description).toContain(CLEAN_SURFACE);
      expect(c.text_description).not.toMatch(/Damage types|Spatial pattern|Affected part/);
    }
    const onDisk = JSON.parse(await readFile(result.path, 'utf8')) as ContextsFile;
    expect(result.path).toBe(workspacePaths(ws).contexts);
    expect(onDisk.version).toBe(1);
    expect(onDisk.crops).toEqual(result.crops);

    const target = damaged[0]!;
    const generated = target.text_description;
    await setContextOverride(ws, target.crop_id, 'Long diagonal key scratch across the rear quarter.', tok);
    const again = await runContexts({ workspace: ws, tokenizer: tok });
    expect(again.edited).toBe(1);
    const edited = again.crops.find((c) => c.crop_id === target.crop_id)!;
    expect(edited).toMatchObject({ text_description: 'Long diagonal key scratch across the rear quarter.', context_edited: true });
    expect(again.crops.filter((c) => c.context_edited)).toHaveLength(1);

    await clearContextOverride(ws, target.crop_id);
    const back = await runContexts({ workspace: ws, tokenizer: tok });
    expect(back.crops.find((c) => c.crop_id === target.crop_id)).toMatchObject({ text_description: generated, context_edited: false });
  });

  it('reports a crop whose photo cannot be read and describes the others', async () => {
    const other = join(dir, 'ws-missing-photo');
    const metadata = (await readCropsMetadata(workspacePaths(ws).cropsMetadata))!;
    const broken = metadata.crops[0]!;
    broken.source_path = join(dir, 'moved-away.jpg');
    await writeCropsMetadata(workspacePaths(other).cropsMetadata, metadata);
    const result = await runContexts({ workspace: other, tokenizer: tok });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ crop_id: broken.crop_id, file: broken.source_path });
    expect(result.crops.find((c) => c.crop_id === broken.crop_id)!.text_description).toBeUndefined();
    expect(result.crops.filter((c) => c.text_description)).toHaveLength(metadata.crops.length - 1);

    // A size handed in (e.g. from the loaded dataset) places the crop without reading the photo.
    const sized = await runContexts({
      workspace: other,
      tokenizer: tok,
      photoSizes: new Map([[broken.source_image, { width: 1024, height: 768 }]]),
    });
    expect(sized.failures).toEqual([]);
    expect(sized.crops.find((c) => c.crop_id === broken.crop_id)!.text_description).toMatch(/^Vehicle zone: /);
  });
});
