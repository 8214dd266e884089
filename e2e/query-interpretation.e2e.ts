import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResponse } from '../electron/shared/ipc-contract';
import { capture } from './capture';
import { startHarness, type Harness } from './harness';

let h: Harness;

// A pipeline-built workspace (phases 1-4 over fixture datasets in the seed convention: zones and damage types).
beforeAll(async () => {
  h = await startHarness({ ko: 1, ok: 1, seed: 5 }, { openWorkspace: true });
});
afterAll(() => h?.close());

const QUERY = 'dented rear bumper';

describe('Search shows how it read a text query', () => {
  it('shows the interpretation as chips; a chip made a filter narrows the results and shows confirmed', async () => {
    const { page } = h;
    await page.getByText('8 photos', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Query text').fill(QUERY);
    await page.getByRole('button', { name: 'Search', exact: true }).last().click();
    const chips = page.getByRole('group', { name: 'Query interpretation' });
    await chips.waitFor({ timeout: 60_000 });

    // The same reading as the service gives (and the CLI prints): proposed, not applied.
    const answer = (await h.service.call('search', { text: QUERY, filters: {}, k: 24 })) as SearchResponse;
    expect(answer.interpretation).toMatchObject({ summary: 'zone 5 (rear bumper) · dent', part: 'rear bumper' });
    const zone = chips.getByRole('button', { name: 'zone 5 (rear bumper)' });
    const dent = chips.getByRole('button', { name: 'dent' });
    expect(await zone.getAttribute('aria-pressed')).toBe('false');
    expect(await dent.getAttribute('aria-pressed')).toBe('false');
    expect(await page.getByTestId('interpretation').textContent()).toContain('rank higher; click one to apply it as a filter');
    await page.getByTestId('result').first().waitFor();
    await capture(page, 'search-interpretation');

    // Confirming "dent" makes it the Type filter: every result is a dent, and the chip says it is applied.
    await dent.click();
    await expect.poll(() => page.getByRole('group', { name: 'Type' }).getByRole('button', { name: /^dent/ }).getAttribute('aria-pressed'), { timeout: 30_000 }).toBe('true');
    await expect.poll(() => chips.getByRole('button', { name: 'dent ✓' }).count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.getByText('Updating…').count(), { timeout: 30_000 }).toBe(0);
    const damages = await page.getByRole('list', { name: 'Search results' }).getByTestId('result').evaluateAll((items) => items.map((i) => i.getAttribute('data-damage')));
    expect(damages.every((d) => d === 'damaged')).toBe(true);
    await capture(page, 'search-interpretation-confirmed');
    expect(h.pageErrors).toEqual([]);
  });
});
