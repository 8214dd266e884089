import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import { TEXT_VOCABULARY_FILE } from '../text/vocabulary';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { liveGenerationDir } from '../workspace/generations';
import { readNpy } from '../workspace/npy';
import { workspacePaths } from '../workspace/workspace';
import { loadQueryEmbedder } from './query';
import { runEmbeddings, TOWER_FILES } from './run';

const CONTEXTS = [
  'Vehicle zone: rear_bumper (posterior area). Affected part: Rear bumper lower valance. Damage types: dent (metal deformation, 1 instance).',
  'Vehicle zone: hood_center (frontal area). Inspected part: Central hood panel. Surface condition: Clean paint, no scratches or dents detected.',
];

const crop = (id: string, text: string | undefined): CropRecord => ({
  crop_id: id, crop_path: `crops/images/${id}.jpg`, source_image: id, source_path: '/x', has_damage: true,
  vehicle_zone: '5', zone_description: null, zone_area: null, crop_type: 'clustered', origin: 'defect_cluster', crop_size: [64, 64],
  bbox: { x: 0, y: 0, width: 64, height: 64 }, defects: [], damage_types: ['dent'], damage_count: 1,
  grid_position: null, car_ratio: null, car_ratio_method: null, car_fallback: false, text_description: text,
});

let ws: string;
let live: string;
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'carlens-lexicon-tower-'));
  await writeJsonAtomic(workspacePaths(ws).contexts, { version: 1, crops: [crop('a', CONTEXTS[0]), crop('b', CONTEXTS[1]), crop('c', undefined)] });
  await mkdir(join(ws, 'crops/images'), { recursive: true });
  for (const [i, id] of ['a', 'b', 'c'].entries()) {
    const pixels = Buffer.alloc(64 * 64 * 3, 40 + 60 * i);
    await writeFile(join(ws, `crops/images/${id}.jpg`), await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer());
  }
  await runEmbeddings({ workspace: ws });
  live = liveGenerationDir(workspacePaths(ws).embeddingsDir);
}, 120_000);
afterAll(() => rm(ws, { recursive: true, force: true }));

describe('offline model v2: the lexicon text tower in phase 3 and in queries', () => {
  it('phase 3 fits the vocabulary on the contexts and writes it with the vectors it made', async () => {
    const vocabulary = JSON.parse(await readFile(join(live, TEXT_VOCABULARY_FILE), 'utf8'));
    expect(vocabulary).toMatchObject({ version: 1, lexicon: 'carlens-inspection-lexicon@1', documents: 2, dim: 256, dropped: [] });
    expect(vocabulary.terms).toEqual(expect.arrayContaining(['c:dent', 'c:clean', 'c:bumper', 'w:paint', 'w:surfac']));
    const info = JSON.parse(await readFile(join(live, 'generation_info.json'), 'utf8'));
    expect(info).toMatchObject({ model: 'offline-visual-lexical-v2', text_dim: 256 });

    const { embedder } = await loadQueryEmbedder(ws);
    try {
      expect(embedder.textVocabulary!.file).toEqual(vocabulary);
      const text = await readNpy(join(live, TOWER_FILES.text));
      expect(Array.from(text.data.subarray(0, 256))).toEqual(Array.from(embedder.textVocabulary!.vector(CONTEXTS[0]!)));
      // The crop without a context keeps a zero text row.
      expect(text.data.subarray(512, 768).every((v) => v === 0)).toBe(true);
      // A text query fills the text block alone, with the same vocabulary: "dented" meets the context's "dent".
      const query = await embedder.embedQuery({ text: 'dented rear bumper' });
      const block = query.subarray(embedder.imageDim);
      expect(query.subarray(0, embedder.imageDim).every((v) => v === 0)).toBe(true);
      expect(block[embedder.textVocabulary!.slotOf('c:dent')!]).toBeGreaterThan(0);
      await expect(embedder.embedQuery({ text: 'xylophone quasar' })).rejects.toThrow(/text "xylophone quasar": none of its words is in this workspace's vocabulary/);
    } finally {
      await embedder.dispose();
    }
  });

  it('refuses v1 embeddings and a generation without its vocabulary, saying to rerun phase 3', async () => {
    const infoPath = join(live, 'generation_info.json');
    const info = await readFile(infoPath, 'utf8');
    const vocabularyPath = join(live, TEXT_VOCABULARY_FILE);
    const vocabulary = await readFile(vocabularyPath, 'utf8');
    try {
      await writeFile(infoPath, info.replace('"offline-visual-lexical-v2"', '"offline-visual-lexical"'));
      await expect(loadQueryEmbedder(ws)).rejects.toThrow(/is now model offline-visual-lexical-v2, the embeddings come from offline-visual-lexical; rerun phase 3 \(embed\)/);
      await writeFile(infoPath, info);
      await rm(vocabularyPath);
      await expect(loadQueryEmbedder(ws)).rejects.toThrow(/text_vocabulary.json: no text vocabulary beside the embeddings; rerun phase 3 \(embed\)/);
    } finally {
      await writeFile(infoPath, info);
      await writeFile(vocabularyPath, vocabulary);
    }
  });
});
