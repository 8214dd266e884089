import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type FixtureResult } from '../core/fixture/fixture';
import { AppService } from './app-service';
import { PHASE_IMPLS, type PhaseImpl } from './phases';
import { NotReadyError } from './readiness';

let dir: string;
let fixture: FixtureResult;
let service: AppService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-readiness-'));
  fixture = await writeFixture(join(dir, 'dataset'), { ko: 2, ok: 1, seed: 3, width: 320, height: 240 });
  service = new AppService({ defaultWorkspace: join(dir, 'ws'), stateDir: join(dir, 'state') });
});
afterAll(async () => {
  await service.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('a search before the index', () => {
  it('says which phases to run before a search, and where', async () => {
    await service.call('openDataset', { path: fixture.root, options: { workspace: join(dir, 'ws-new') } });
    const error = (await service.call('search', { text: 'dent' }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(NotReadyError);
    expect(error.message).toBe(
      `search needs this workspace's index, and there is none yet in ${join(dir, 'ws-new')}: run phases 1 (crops) to 4 (index) on the Pipeline screen (or Run all there)`,
    );
  });
});

describe('a run asked for twice', () => {
  it('answers the second request with the run that goes on, not an error', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow: PhaseImpl = async () => {
      await held;
      return { message: 'crops done', problems: [] };
    };
    const runner = new AppService({ defaultWorkspace: join(dir, 'ws-run'), phases: { ...PHASE_IMPLS, crops: slow, contexts: null, embeddings: null, index: null, validation: null } });
    await runner.call('openDataset', { path: fixture.root });
    const [first, second] = await Promise.all([runner.call('runPhase', { phase: 'all' }), runner.call('runPhase', { phase: 'all' })]);
    expect(first.running).toBe(true);
    expect(first.notice ?? null).toBeNull();
    expect(second.running).toBe(true);
    expect(second.notice).toMatch(/^already running: phase 1 \(crops\) is in progress and goes on; nothing was started twice/);
    release();
    await runner.runner.current;
    expect(runner.runner.status().phases[0]!.message).toBe('crops done');
    await runner.dispose();
  });
});
