import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticEmbeddings } from '../../core/index/synthetic';
import type { Command, CommandContext } from '../command';
import { indexCommand } from './index-cmd';
import { searchCommand } from './search';

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'carlens-search-cli-'));
  await writeSyntheticEmbeddings(workspace, { count: 600, dim: 32, seed: 9, rejected: [1] });
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

async function run(command: Command, values: CommandContext['values']): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await command.run({ positionals: [], values, workspace, json: true, stdout, stderr: new PassThrough() });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe('index and search commands', () => {
  it('index builds a Flat index and reports it; search --crop applies the filters', async () => {
    const built = await run(indexCommand, {});
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ index_type: 'flat', count: 599, skipped_rejected: 1, dim: 32 });

    const found = await run(searchCommand, { crop: 'crop-000050', zone: '4,5', damage: 'true', type: 'dent,crack', k: '5' });
    expect(found.code).toBe(0);
    const out = JSON.parse(found.stdout);
    expect(out.filters).toEqual({ vehicle_zone: ['4', '5'], has_damage: true, damage_type: ['dent', 'crack'] });
    expect(out.results).toHaveLength(5);
    for (const r of out.results) {
      expect(['4', '5']).toContain(r.zone);
      expect(r.has_damage).toBe(true);
      expect(r.damage_types.some((t: string) => t === 'dent' || t === 'crack')).toBe(true);
    }
    expect(out.answer.has_damage).toMatchObject({ value: true, confidence: 1 });
  });

  it('rejects bad filters, several query sources, and a query embedder of another model', async () => {
    await expect(run(searchCommand, { crop: 'crop-000050', zone: '11', k: '5' })).rejects.toThrow(/--zone takes zone numbers 1..10, not 11/);
    await expect(run(searchCommand, { crop: 'crop-000050', damage: 'yes', k: '5' })).rejects.toThrow(/--damage must be true or false/);
    await expect(run(searchCommand, { crop: 'crop-000050', type: 'rust', k: '5' })).rejects.toThrow(/--type rust is not one of/);
    await expect(run(searchCommand, { crop: 'crop-000050', text: 'dent', k: '5' })).rejects.toThrow(/exactly one of/);
    await expect(run(searchCommand, { crop: 'crop-000001', k: '5' })).rejects.toThrow(/crop crop-000001 is not in the index/);
    // The index holds synthetic-model vectors; the real query embedder must refuse to search them.
    await expect(run(searchCommand, { text: 'dent', k: '5' })).rejects.toThrow(/the index holds synthetic-model vectors of dimension 32, the query embedder gives/);
  });
});
