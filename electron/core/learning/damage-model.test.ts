import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHeadsFile } from './damage-model';
import { DEFAULT_DAMAGE_HEADS_MANIFEST, readDamageHeadsManifest } from './manifest';

describe('readHeadsFile', () => {
  it('reads the committed heads, says how to train missing ones and names a malformed file', async () => {
    const manifest = await readDamageHeadsManifest(DEFAULT_DAMAGE_HEADS_MANIFEST).catch(() => null);
    if (manifest) expect((await readHeadsFile(manifest.weightsPath)).manifestId).toBe(manifest.id);
    const dir = await mkdtemp(join(tmpdir(), 'carlens-heads-'));
    try {
      await expect(readHeadsFile(join(dir, 'none.json'))).rejects.toThrow(/none\.json: missing; train them with `npx tsx native-models\/damage-heads\/train\/train\.ts`/);
      await writeFile(join(dir, 'bad.json'), '{nope');
      await expect(readHeadsFile(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json: not valid JSON/);
      await writeFile(join(dir, 'shape.json'), '{"version": 1}');
      await expect(readHeadsFile(join(dir, 'shape.json'))).rejects.toThrow(/shape\.json: not damage heads \(manifestId/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
