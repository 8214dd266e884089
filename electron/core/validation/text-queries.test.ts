import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTextWorkspace } from '../retriever/text-workspace';
import { loadClipTokenizer } from '../text/clip-tokenizer';
import { domainCorpus } from '../text/domain-corpus';
import { textQueriesHtml, textQuerySection, type TextQuerySection } from './text-queries-section';

let dir: string;
let section: TextQuerySection;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-text-queries-'));
  await writeTextWorkspace(dir, domainCorpus(await loadClipTokenizer()));
  section = await textQuerySection(dir);
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('text search figures (validation report)', () => {
  it('scores every phrase over a corpus with every label, the app search well above its baselines', () => {
    if ('unavailable' in section) throw new Error(section.unavailable);
    expect(section.unscored).toEqual([]);
    expect(section.phrases.length).toBeGreaterThanOrEqual(40);
    const all = section.groups.find((g) => g.group === 'all')!;
    // Issue #12's target for the mean share of relevant results in the top 5.
    expect(all.lifted).toBeGreaterThanOrEqual(0.85);
    expect(all.tower).toBeGreaterThan(all.hashed);
    expect(all.hashed).toBeGreaterThan(all.random);
    const issue = section.groups.find((g) => g.group === 'issue')!;
    expect(issue.lifted).toBeGreaterThanOrEqual(0.85);
  });

  it('renders the groups beside their baselines, and says why when it cannot measure', async () => {
    const html = textQueriesHtml(section);
    expect(html).toContain('<table id="text-queries-table">');
    expect(html).toMatch(/<td>negation<\/td><td>\d+<\/td><td><b>\d\.\d\d<\/b><\/td>/);
    const missing = await textQuerySection(join(dir, 'no-such-workspace'));
    expect(missing).toMatchObject({ unavailable: expect.stringMatching(/run phase 3/) });
    expect(textQueriesHtml(missing)).toContain('Not measured:');
  });
});
