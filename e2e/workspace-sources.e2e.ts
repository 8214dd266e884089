import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startHarness, type Harness } from './harness';

let h: Harness;

// A pipeline-built workspace of two folders (lot-a, lot-b; phases 1-4) is open before the page loads.
beforeAll(async () => {
  h = await startHarness({ ko: 1, ok: 1, seed: 3 }, { openWorkspace: true });
});
afterAll(() => h?.close());

const shot = (name: string) => h.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

/** Crop review's "all (N)" once its crops have loaded (it reads 0 until then): every crop of the workspace. */
async function cropTotal(expected?: number): Promise<number> {
  const { page } = h;
  await page.getByRole('button', { name: 'Crop review' }).click();
  const all = page.getByRole('button', { name: /^all \(\d+\)/ });
  const count = async () => Number(/\((\d+)\)/.exec((await all.textContent()) ?? '')?.[1] ?? 0);
  if (expected === undefined) await expect.poll(count).toBeGreaterThan(0);
  else await expect.poll(count).toBe(expected);
  const total = await count();
  await page.getByRole('button', { name: 'Dataset' }).click();
  return total;
}

async function phaseRow(phase: string) {
  await h.page.getByRole('button', { name: 'Pipeline' }).click();
  return h.page.getByTestId(`phase-${phase}`);
}

async function openSources() {
  const { page } = h;
  const panel = page.getByTestId('workspace-sources');
  if (!(await panel.evaluate((d) => (d as HTMLDetailsElement).open))) await panel.locator('summary').click();
  return panel;
}

describe('workspace sources in the app', () => {
  let lotBCrops = 0;
  let before = 0;

  it('lists every source with its counts and import settings', async () => {
    const { page } = h;
    await page.getByText('8 photos', { exact: true }).waitFor();
    before = await cropTotal();
    const panel = await openSources();
    const lotB = panel.getByTestId('source-lot-b');
    await expect.poll(() => lotB.getByTestId('source-photos').textContent()).toMatch(/^4 \(\d damaged, \d undamaged\)$/);
    lotBCrops = Number(/^(\d+) crops of 4 photos$/.exec((await lotB.getByTestId('source-crops').textContent())!)![1]);
    expect(lotBCrops).toBeGreaterThan(0);
    expect(await lotB.textContent()).toContain("state: from the annotations · label map: the folder's");
    await shot('20-workspace-sources');
  });

  it('asks before removing, saying how many crops go; the dialog keeps focus and closes on Escape', async () => {
    const { page } = h;
    const panel = await openSources();
    const remove = panel.getByTestId('source-lot-b').getByRole('button', { name: 'Remove…' });
    await remove.click();
    const dialog = page.getByRole('dialog', { name: 'Remove source lot-b?' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('removal-text').textContent()).toContain(`Its ${lotBCrops} crops of 4 photos leave this workspace`);
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Cancel');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe(`Remove ${lotBCrops} crops`);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Cancel');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe(`Remove ${lotBCrops} crops`);
    await shot('21-remove-source-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focused()).toBe('Remove…');
    await cropTotal(before);
  });

  it('removes the source once confirmed: its photos and crops go, the later phases show stale', async () => {
    const { page } = h;
    const panel = await openSources();
    await panel.getByTestId('source-lot-b').getByRole('button', { name: 'Remove…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: `Remove ${lotBCrops} crops` }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await panel.getByTestId('source-lot-b').waitFor({ state: 'detached' });
    await page.getByText('4 photos', { exact: true }).waitFor();
    await cropTotal(before - lotBCrops);
    const index = await phaseRow('index');
    await expect.poll(() => index.getByTestId('phase-status').textContent()).toBe('stale');
    expect(await index.getByTestId('stale-reason').textContent()).toContain('inputs changed: contexts changed (source lot-b removed) after this index was built');
    await shot('22-source-removed-stale');
  });

  it('adds the folder back; phase 1 run from the app brings its crops back', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Dataset' }).click();
    const panel = await openSources();
    await panel.getByLabel('Add a dataset folder').fill(h.built!.datasets[1]!.root);
    await panel.getByRole('button', { name: 'Add source' }).click();
    await expect.poll(() => panel.getByTestId('source-lot-b').getByTestId('source-crops').textContent()).toBe('0 crops of 0 photos');
    await page.getByText('8 photos', { exact: true }).waitFor();
    const crops = await phaseRow('crops');
    await expect.poll(() => crops.getByTestId('stale-reason').textContent()).toContain('source lot-b added since these crops were cut');
    await crops.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => crops.getByTestId('phase-status').textContent(), { timeout: 120_000 }).toBe('done');
    expect(await (await phaseRow('contexts')).getByTestId('phase-status').textContent()).toBe('stale');
    await page.getByRole('button', { name: 'Dataset' }).click();
    await cropTotal(before);
  });

  it('logged no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
