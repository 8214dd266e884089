import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticEmbeddings } from '../../core/index/synthetic';
import { writeTextWorkspace } from '../../core/retriever/text-workspace';
import { loadClipTokenizer } from '../../core/text/clip-tokenizer';
import { domainCorpus } from '../../core/text/domain-corpus';
import type { Command, CommandContext } from '../command';
import { indexCommand } from './index-cmd';
import { searchCommand } from './search';

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'carlens-search-cli-'));
  await writeSyntheticEmbeddings(workspace, { count: 600, dim: 32, seed: 9, rejected: [1] });
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

async function run(command: Command, values: CommandContext['values'], at = workspace, json = true): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await command.run({ positionals: [], values, workspace: at, json, stdout, stderr: new PassThrough() });
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
    // Phase 3's record of these synthetic vectors names no model manifest: no query can be embedded in their space.
    await expect(run(searchCommand, { text: 'dent', k: '5' })).rejects.toThrow(/generation_info.json: .*rerun phase 3 \(embed\)/s);
  });
});

describe('search --text reads the query', () => {
  let textWorkspace: string;
  beforeAll(async () => {
    textWorkspace = await mkdtemp(join(tmpdir(), 'carlens-search-text-'));
    await writeTextWorkspace(textWorkspace, domainCorpus(await loadClipTokenizer()));
  });
  afterAll(() => rm(textWorkspace, { recursive: true, force: true }));

  it("prints the interpretation of 'dented rear bumper' and results whose labels match", async () => {
    const printed = await run(searchCommand, { text: 'dented rear bumper', k: '5' }, textWorkspace, false);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('interpreted as: zone 5 (rear bumper) · dent');
    const rows = printed.stdout.split('\n').filter((line) => /^\s+\d+\s+\d\.\d{4}/.test(line));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row).toMatch(/zone 5 +dent/);

    const out = JSON.parse((await run(searchCommand, { text: 'dented rear bumper', k: '5' }, textWorkspace)).stdout);
    expect(out.interpretation).toMatchObject({ zones: [5], part: 'rear bumper', damageTypes: ['dent'], summary: 'zone 5 (rear bumper) · dent', applied: 'as a lift' });
    expect(out.interpretation.proposals.map((p: { kind: string }) => p.kind)).toEqual(['zone', 'damage_type']);
    expect(out.filters).toEqual({});
    for (const r of out.results) expect(r).toMatchObject({ zone: '5', has_damage: true, damage_types: expect.arrayContaining(['dent']) });
  });

  it('--strict applies the interpretation as filters; a negated query finds clean crops', async () => {
    const strict = JSON.parse((await run(searchCommand, { text: 'dented rear bumper', strict: true, k: '50' }, textWorkspace)).stdout);
    expect(strict.filters).toEqual({ vehicle_zone: ['5'], damage_type: ['dent'] });
    expect(strict.results.length).toBeGreaterThan(0);
    for (const r of strict.results) expect(r).toMatchObject({ zone: '5', damage_types: expect.arrayContaining(['dent']) });

    const clean = JSON.parse((await run(searchCommand, { text: 'no damage, clean side panel', k: '10' }, textWorkspace)).stdout);
    expect(clean.interpretation.summary).toBe('zones 7, 8, 9, 10 (side panel) · clean');
    for (const r of clean.results) {
      expect(r.has_damage).toBe(false);
      expect(['7', '8', '9', '10']).toContain(r.zone);
    }
  });
});
