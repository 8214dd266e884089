import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCropsMetadata } from '../crops/metadata';
import { loadClipTokenizer, type ClipTokenizer } from '../text/clip-tokenizer';
import { workspacePaths } from '../workspace/workspace';
import { clearContextOverride, loadOverrides, setContextOverride } from './overrides';

describe('context overrides', () => {
  let ws: string;
  let tok: ClipTokenizer;
  beforeAll(async () => {
    ws = await mkdtemp(join(tmpdir(), 'carlens-overrides-'));
    tok = await loadClipTokenizer();
    const crops = ['a', 'b'].map((id) => ({ crop_id: id, crop_path: `crops/images/${id}.jpg`, source_image: 'p' }));
    await writeCropsMetadata(workspacePaths(ws).cropsMetadata, {
      version: 1,
      dataset: '/nonexistent',
      generated_at: new Date().toISOString(),
      crops: crops as never,
      photos: [],
    });
  });
  afterAll(async () => {
    await rm(ws, { recursive: true, force: true });
  });

  it('is empty before any edit, stores trimmed texts, clears them', async () => {
    expect(await loadOverrides(ws)).toEqual({ version: 1, overrides: {} });
    await setContextOverride(ws, 'a', '  Deep scratch across the driver door.  ', tok);
    await setContextOverride(ws, 'b', 'Clean hood.', tok);
    const stored = JSON.parse(await readFile(workspacePaths(ws).reviewJournal, 'utf8'));
    expect(stored.version).toBe(1);
    expect(stored.contexts.a.text).toBe('Deep scratch across the driver door.');
    expect(Number.isNaN(Date.parse(stored.contexts.a.at))).toBe(false);
    await clearContextOverride(ws, 'a');
    await clearContextOverride(ws, 'never-set');
    expect(Object.keys((await loadOverrides(ws)).overrides)).toEqual(['b']);
  });

  it('keeps every edit made at the same time', async () => {
    await Promise.all([setContextOverride(ws, 'a', 'one', tok), setContextOverride(ws, 'b', 'two', tok)]);
    const { overrides } = await loadOverrides(ws);
    expect([overrides.a?.text, overrides.b?.text]).toEqual(['one', 'two']);
  });

  it('rejects empty, over-long texts and unknown crops with clear errors', async () => {
    await expect(setContextOverride(ws, 'a', '   ', tok)).rejects.toThrow('context for crop a: the text is empty');
    const long = Array.from({ length: 80 }, () => 'dent').join(' ');
    await expect(setContextOverride(ws, 'a', long, tok)).rejects.toThrow('context for crop a: 82 tokens, the text encoder reads at most 77');
    await expect(setContextOverride(ws, 'zzz', 'fine', tok)).rejects.toThrow(/crops\.json: no crop zzz/);
  });

  it('names the file when it is not valid', async () => {
    const path = workspacePaths(ws).reviewJournal;
    const saved = await readFile(path, 'utf8');
    await writeFile(path, '{"version": 1, "rejected": {}, "contexts": {"a": {"text": "", "at": "x"}}}');
    await expect(loadOverrides(ws)).rejects.toThrow(`${path}: not a review journal`);
    await writeFile(path, 'nope');
    await expect(loadOverrides(ws)).rejects.toThrow(`${path}: not valid JSON`);
    await writeFile(path, saved);
  });

  it('imports the overrides of a workspace from before the journal', async () => {
    const legacy = await mkdtemp(join(tmpdir(), 'carlens-overrides-legacy-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(legacy, 'contexts'), { recursive: true });
    await writeFile(workspacePaths(legacy).contextOverrides, JSON.stringify({ version: 1, overrides: { a: { text: 'Old edit.', edited_at: '2024-01-01T00:00:00.000Z' } } }));
    expect(await loadOverrides(legacy)).toEqual({ version: 1, overrides: { a: { text: 'Old edit.', edited_at: '2024-01-01T00:00:00.000Z' } } });
    await rm(legacy, { recursive: true, force: true });
  });
});
