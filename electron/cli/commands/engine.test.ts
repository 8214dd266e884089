import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, LocalIndex } from '../../core/index';
import { writeSyntheticEmbeddings } from '../../core/index/synthetic';
import { chromaServerInstalled, startChromaServer, type ChromaServer } from '../../core/vector-store/chroma-server';
import type { CommandContext } from '../command';
import { engineCommand } from './engine';

describe.skipIf(!chromaServerInstalled())('engine command against a Chroma server', () => {
  let root: string;
  let workspace: string;
  let server: ChromaServer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-engine-cli-'));
    server = await startChromaServer(join(root, 'chroma'));
    workspace = join(root, 'workspace');
    await writeSyntheticEmbeddings(workspace, { count: 800, dim: 32, seed: 5 });
    await buildIndex({ workspace });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  async function run(positionals: string[], values: CommandContext['values'] = {}): Promise<unknown> {
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    const all = { engine: 'chroma', url: server.url, collection: 'cli', k: '10', ...values };
    const code = await engineCommand.run({ positionals, values: all, workspace, json: true, stdout, stderr: new PassThrough() });
    expect(code).toBe(0);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }

  it('pushes, reports the generation held, and searches with filters as the local index does', async () => {
    expect(await run(['push'])).toMatchObject({ engine: 'chroma', count: 800, dim: 32 });
    expect(await run(['status'])).toMatchObject({ count: 800, current: true });

    const out = (await run(['search'], { crop: 'crop-000100', zone: '4,5', damage: 'true', compare: true, k: '5' })) as {
      filters: unknown;
      results: { crop_id: string; score: number }[];
      local: { crop_id: string }[];
      overlap: number;
    };
    expect(out.filters).toEqual({ vehicle_zone: ['4', '5'], has_damage: true });
    expect(out.results).toHaveLength(5);
    expect(out.overlap).toBe(1);
    expect(out.results.map((r) => r.crop_id)).toEqual(out.local.map((r) => r.crop_id));
    const index = await LocalIndex.open(workspace);
    for (const r of out.results) {
      const crop = index.table.get(index.rowOf(r.crop_id)!);
      expect(['4', '5']).toContain(crop.vehicle_zone);
      expect(crop.has_damage).toBe(true);
    }
  });

  it('says when the server holds an older generation than the workspace', async () => {
    await run(['push']);
    await (await LocalIndex.open(workspace)).rejectCrop('crop-000003');
    expect(await run(['status'])).toMatchObject({ count: 800, current: false });
  });

  it('refuses unknown actions and engines, and a collection never pushed', async () => {
    await expect(run(['pull'])).rejects.toThrow(/push, status or search/);
    await expect(run(['push'], { engine: 'qdrant' })).rejects.toThrow(/--engine qdrant is not supported/);
    await expect(run(['search'], { crop: 'crop-000100', text: 'dent' })).rejects.toThrow(/exactly one of/);
    await expect(run(['status'], { collection: 'elsewhere' })).rejects.toThrow(/collection elsewhere\): .*push the index first/);
  });

  it('refuses a query vector of another model than the server holds', async () => {
    await run(['push']);
    const other = join(root, 'other-model');
    await writeSyntheticEmbeddings(other, { count: 50, dim: 32, seed: 6, model: 'another-model' });
    await buildIndex({ workspace: other });
    const stdout = new PassThrough();
    const values = { engine: 'chroma', url: server.url, collection: 'cli', k: '10', crop: 'crop-000010' };
    await expect(engineCommand.run({ positionals: ['search'], values, workspace: other, json: true, stdout, stderr: new PassThrough() })).rejects.toThrow(
      /holds synthetic-model vectors, the query vector comes from another-model; push this workspace.s index/,
    );
  });
});
