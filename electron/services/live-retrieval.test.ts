import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, LocalIndex } from '../core/index';
import { syntheticRecords } from '../core/index/synthetic';
import { writeTextWorkspace } from '../core/retriever/text-workspace';
import type { ParsedRequest } from '../shared/ipc-contract';
import { LiveRetrieval } from './live-retrieval';
import { SearchService } from './search-service';

let dir: string;
let workspace: string;
const reads = { count: 0 };
let retrieval: LiveRetrieval;
let searches: SearchService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-live-retrieval-'));
  workspace = join(dir, 'ws');
  await writeTextWorkspace(workspace, syntheticRecords(300, 4, 'unused'));
  retrieval = new LiveRetrieval((ws) => {
    reads.count++;
    return LocalIndex.open(ws);
  });
  searches = new SearchService(retrieval);
}, 120_000);
afterAll(async () => {
  await retrieval?.close();
  await rm(dir, { recursive: true, force: true });
});

const search = (text: string, k = 6) => searches.search(workspace, { text, k } as ParsedRequest<'search'>, undefined);

describe('SearchService over LiveRetrieval', () => {
  it('reads the index once for many searches, and once more only after another writer switched generations', async () => {
    const first = await search('dent on the rear bumper');
    expect(first.results).toHaveLength(6);
    const together = await Promise.all(['scratch on the hood', 'clean door', 'dent on the rear bumper'].map((t) => search(t)));
    expect(together[2]!.results.map((r) => r.cropId)).toEqual(first.results.map((r) => r.cropId));
    expect(reads.count).toBe(1);

    await buildIndex({ workspace });
    await search('scratch on the hood');
    expect(reads.count).toBe(2);
  }, 60_000);

  it("leaves a rejected crop out of the next search without reading the edit's generation back", async () => {
    const before = await search('dent on the rear bumper');
    const readsBefore = reads.count;
    const top = before.results[0]!.cropId;
    await (await retrieval.index(workspace)).edit(async (index) => index.rejectCrop(top));
    const after = await search('dent on the rear bumper');
    expect(after.results.map((r) => r.cropId)).not.toContain(top);
    expect(reads.count).toBe(readsBefore);
  }, 60_000);

  it('shares one retriever between leases while the generation is live', async () => {
    const [a, b] = await Promise.all([retrieval.lease(workspace), retrieval.lease(workspace)]);
    try {
      expect(a!.retriever).toBe(b!.retriever);
      expect(a!.query).toBe(b!.query);
    } finally {
      a!.release();
      b!.release();
    }
  });
});
