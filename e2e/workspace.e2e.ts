import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from './capture';
import { startHarness, type Harness } from './harness';

let h: Harness;

// The bridge starts with a pipeline-built workspace of two datasets already open, as `--workspace DIR` does.
beforeAll(async () => {
  h = await startHarness({ ko: 1, ok: 1, seed: 3 }, { openWorkspace: true });
});
afterAll(() => h?.close());

/** Each state passes axe-core and is screenshotted at 1440×900 and 1280×720 (see capture). */
const shot = (name: string) => capture(h.page, name);

describe('CarLens UI on a workspace the bridge opened at start', () => {
  it('shows every source of the workspace without opening anything', async () => {
    const { page } = h;
    await page.getByText('8 photos', { exact: true }).waitFor();
    expect(await page.getByTestId('dataset-name').textContent()).toBe('Workspace workspace');
    const source = page.getByRole('group', { name: 'Source' });
    await source.getByRole('button', { name: 'lot-b (4)' }).click();
    await page.getByText('4 photos', { exact: true }).waitFor();
    expect(await page.getByTestId('photo-card').first().getAttribute('title')).toMatch(/^lot-b\//);
    await source.getByRole('button', { name: 'all' }).click();
    await page.getByText('8 photos', { exact: true }).waitFor();
    await shot('11-workspace-dataset');
  });

  it('shows phases 1-4 done from the files on disk, phase 5 not run', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Pipeline' }).click();
    for (const phase of ['crops', 'contexts', 'embeddings', 'index']) {
      const row = page.getByTestId(`phase-${phase}`);
      await expect.poll(() => row.getByTestId('phase-status').textContent()).toBe('done');
      expect(await row.locator('.message').textContent()).toMatch(/on disk: .*written \d{4}-\d\d-\d\d/);
    }
    expect(await page.getByTestId('phase-crops').locator('.message').textContent()).toMatch(/crops from 8 photos/);
    expect(await page.getByTestId('phase-validation').getByTestId('phase-status').textContent()).toBe('idle');
    await shot('10-workspace-opened');
  });

  it("finds a photo's crops in Crop review, for either source", async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Crop review' }).click();
    await page.getByTestId('crop').first().waitFor();
    const current = page.getByTestId('current-crop-id');
    expect(await current.textContent()).toMatch(/^lot-a__/);
    // The queue runs through every crop of both sources: Next reaches lot-b's.
    const total = Number(/\((\d+)\)/.exec((await page.getByRole('button', { name: /^all \(/ }).textContent())!)![1]);
    for (let i = 0; i < total && !/^lot-b__/.test((await current.textContent()) ?? ''); i++) {
      const before = await current.textContent();
      await page.getByRole('button', { name: 'Next →' }).click();
      await expect.poll(() => current.textContent()).not.toBe(before);
    }
    expect(await current.textContent()).toMatch(/^lot-b__/);
    await expect.poll(() => page.locator('[data-testid="crop"] code').first().textContent()).toMatch(/^lot-b__/);
    await shot('12-workspace-crop-review');
  });

  it("opens a search result's source photo", async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Query text').fill('scratch on the door');
    await page.getByRole('button', { name: 'Search', exact: true }).last().click();
    const first = page.getByTestId('result').first();
    await first.waitFor({ timeout: 60_000 });
    await first.getByRole('button').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.locator('h2').textContent()).toMatch(/^lot-[ab]\//);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('logged no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
