import { mkdir, readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge } from '../electron/bridge/server';
import { sharedDir } from '../electron/core/models/paths';
import { AppService } from '../electron/services/app-service';
import { capture } from './capture';
import { startHarness, type Harness } from './harness';
import { dropFile, focusInDialog, shownResultIds } from './page-actions';
import { e2eWorkspace } from './shared-workspace';

// The app over a workspace built like the main job's, from the THREE shared folders (a few photos of each, see
// e2eWorkspace; CARLENS_E2E_WORKSPACE runs it on a copy of the main job's own workspace). Every state it passes
// through is checked by axe-core and screenshotted at 1440×900 and 1280×720 (see capture).
let h: Harness;
let workspace: string;
const onRealWorkspace = Boolean(process.env.CARLENS_E2E_WORKSPACE);
/** A crop rejected and a context edited here, which every later phase run must keep. */
const kept = { rejected: '', edited: '', text: 'Dent with a scratch across the lower rear door, checked by hand in the e2e run.' };

beforeAll(async () => {
  h = await startHarness({ ko: 1, ok: 1, seed: 2 }, { workspace: (dir) => e2eWorkspace(dir) });
  workspace = (await h.service.call('currentDataset', {}))!.workspace;
});
afterAll(() => h?.close());

const alert = () => h.page.getByRole('alert');
const crops = async () => (await h.service.call('listCrops', {})).crops;
/** The crop rejected and the context edited above are still what they were. */
const expectReviewKept = async () => {
  expect((await crops()).find((c) => c.cropId === kept.rejected)?.rejected).toBe(true);
  expect((await h.service.call('getContext', { cropId: kept.edited })).text).toBe(kept.text);
};

describe('CarLens on a workspace of the three shared folders', () => {
  let total = 0;

  it('browses each source, with zone names and counts on the filter chips', async () => {
    const { page } = h;
    const info = (await h.service.call('currentDataset', {}))!;
    total = info.summary.photos;
    expect(info.sources.map((s) => s.name)).toEqual(['bilgi-car-damage', 'flickr-car-damage-parts', 'car-parts-undamaged']);
    await page.getByText(`${total} photos`, { exact: true }).waitFor();
    const sources = page.getByRole('group', { name: 'Source' });
    for (const source of info.sources) {
      await sources.getByRole('button', { name: `${source.name} (${source.photos})` }).click();
      await page.getByText(`${source.photos} photos`, { exact: true }).waitFor();
      expect(await page.getByTestId('photo-card').first().getAttribute('title')).toMatch(new RegExp(`^${source.name}/`));
      await capture(page, `shared-01-source-${source.name}`);
    }
    await sources.getByRole('button', { name: `all (${total})` }).click();
    // Zone chips say which zone, and how many photos it holds: together, every photo with a zone.
    const zoneChips = await page.getByRole('group', { name: 'Zone' }).getByRole('button').allTextContents();
    expect(zoneChips).toHaveLength(10);
    expect(zoneChips[6]).toMatch(/^7 · driver side door \(\d+\)$/);
    const zoned = zoneChips.reduce((sum, chip) => sum + Number(/\((\d+)\)$/.exec(chip)![1]), 0);
    expect(zoned).toBe(total - (info.summary.zones.unknown ?? 0));
    expect(await page.getByRole('group', { name: 'State' }).getByRole('button').allTextContents()).toEqual([
      `all (${total})`,
      `damaged (${info.summary.states.damaged})`,
      `undamaged (${info.summary.states.undamaged})`,
    ]);
  });

  it('opens a photo in a dialog that keeps focus inside, closes on Escape and gives focus back', async () => {
    const { page } = h;
    const card = page.getByTestId('photo-card').first();
    await card.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await capture(page, 'shared-02-photo-dialog');
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
      expect(await focusInDialog(page)).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('photo-card');
  });

  it('reviews crops with the keys: R rejects, J / K step, A accepts', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Crop review' }).click();
    const current = page.getByTestId('current-crop-id');
    await current.waitFor();
    const rejectedBefore = Number(/\((\d+)\)/.exec((await page.getByRole('button', { name: /^rejected \(/ }).textContent())!)![1]);
    kept.rejected = (await current.textContent())!;
    await page.keyboard.press('r');
    await page.getByRole('button', { name: `rejected (${rejectedBefore + 1})` }).waitFor();
    const second = (await current.textContent())!;
    expect(second).not.toBe(kept.rejected);
    await page.keyboard.press('j');
    await expect.poll(() => current.textContent()).not.toBe(second);
    await page.keyboard.press('k');
    await expect.poll(() => current.textContent()).toBe(second);
    await page.keyboard.press('a');
    await expect.poll(() => current.textContent()).not.toBe(second);
    await capture(page, 'shared-03-crop-review');
    expect((await crops()).find((c) => c.cropId === kept.rejected)!.rejected).toBe(true);
  });

  it('edits a context with its live token count, saved into the index', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Contexts' }).click();
    const box = page.getByLabel('Context text');
    await box.waitFor();
    kept.edited = (await page.getByTestId('context-crop-id').textContent())!;
    await box.fill(kept.text);
    const counted = await h.service.call('countTokens', { text: kept.text });
    await expect.poll(() => page.getByTestId('token-count').textContent()).toBe(`${counted.tokens} / ${counted.limit} tokens`);
    await page.getByRole('button', { name: 'Save and re-embed' }).click();
    await page.getByTestId('context-saved').waitFor({ timeout: 60_000 });
    await capture(page, 'shared-04-context-editor');
    await expectReviewKept();
  });

  it('searches, opens a result on its source photo with the box, and comes back to the same results', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Query text').fill('dent on the rear bumper');
    await page.getByRole('button', { name: 'Search', exact: true }).last().click();
    const results = page.getByRole('list', { name: 'Search results' }).getByTestId('result');
    await results.first().waitFor({ timeout: 60_000 });
    const ids = await shownResultIds(page);
    expect(ids.length).toBeGreaterThanOrEqual(12);
    await capture(page, 'shared-05-search-results');
    // At 1280×720 the results have the screen's height: two rows of cards or more are in view at once.
    await page.setViewportSize({ width: 1280, height: 720 });
    const inView = await results.evaluateAll((cards) => cards.filter((c) => c.getBoundingClientRect().bottom <= window.innerHeight).length);
    expect(inView).toBeGreaterThanOrEqual(6);

    const second = results.nth(1);
    const box = second.getByTestId('source-box');
    const expected = await Promise.all(['x', 'y', 'width', 'height'].map((a) => box.getAttribute(a)));
    await second.getByRole('button').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const drawn = dialog.getByTestId('crop-box');
    expect(await Promise.all(['x', 'y', 'width', 'height'].map((a) => drawn.getAttribute(a)))).toEqual(expected);
    expect(await dialog.getByTestId('source-note').textContent()).toContain(ids[1]!);
    await capture(page, 'shared-06-result-source-photo');
    await dialog.getByRole('button', { name: 'Back to the results' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await shownResultIds(page)).toEqual(ids);
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="result"]')?.getAttribute('data-crop-id'))).toBe(ids[1]);
  });

  it('answers a dropped photo: damage in words, the heatmap, the windows and their neighbours', async () => {
    const { page } = h;
    const photo = resolve(sharedDir(), 'datasets', 'bilgi-car-damage', '001154_jpg.rf.1958eb08b962fe248ecd7ea0fe272a9b.jpg');
    await dropFile(page, 'dent.jpg', await readFile(photo));
    const answer = page.getByTestId('inspection-answer');
    await answer.waitFor({ timeout: 60_000 });
    expect(await answer.locator('.verdict-line').textContent()).toMatch(/^Damage: (yes|no|uncertain) — \d+ % probability of damage$/);
    await expect.poll(() => page.getByRole('list', { name: 'Neighbours of window 1' }).getByTestId('result').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await capture(page, 'shared-07-inspection-answer');
  });

  it('says what is wrong with a bad drop, shows nothing of the previous query under it, and keeps no bad file', async () => {
    const { page } = h;
    const queries = () => readdir(join(workspace, 'queries')).catch(() => [] as string[]);
    const before = await queries();
    await dropFile(page, 'empty.jpg', Buffer.alloc(0));
    await expect.poll(() => alert().textContent()).toBe('empty.jpg is empty (0 bytes): drop a photo file');
    expect(await page.getByTestId('inspection').count()).toBe(0);
    expect(await page.getByTestId('result').count()).toBe(0);
    await capture(page, 'shared-08-error-empty-drop');

    const jpeg = await readFile(resolve(sharedDir(), 'datasets', 'flickr-car-damage-parts', '1.jpg'));
    await dropFile(page, 'cut.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await expect.poll(() => alert().textContent(), { timeout: 30_000 }).toMatch(/^the dropped file cut\.jpg is incomplete: .*; it was not kept: drop an intact copy of the photo$/);
    expect(await alert().textContent()).not.toMatch(/\/|vips/i);
    expect(await page.getByTestId('inspection').count()).toBe(0);
    expect(await queries()).toEqual(before);
    await capture(page, 'shared-09-error-truncated-drop');

    // The next action clears the old error as it starts.
    await page.getByRole('button', { name: 'Search', exact: true }).last().click();
    await page.getByTestId('result').first().waitFor({ timeout: 60_000 });
    expect(await alert().count()).toBe(0);
  });

  it('re-runs phase 1 from the Pipeline screen and loses nothing', async () => {
    const { page } = h;
    const count = (await crops()).length;
    await page.getByRole('button', { name: 'Pipeline' }).click();
    const phase = page.getByTestId('phase-crops');
    await phase.getByRole('button', { name: 'Run' }).click();
    // This run's own message (the state read from disk before it says "on disk: …").
    await expect.poll(() => phase.locator('.message').textContent(), { timeout: 240_000 }).toMatch(/processed, \d+ up to date$/);
    expect(await phase.getByTestId('phase-status').textContent()).toBe('done');
    expect(await phase.locator('.message').textContent()).toMatch(new RegExp(`^ · ${count} crops \\(`));
    expect(await alert().count()).toBe(0);
    expect((await crops()).length).toBe(count);
    await expectReviewKept();
    await capture(page, 'shared-10-pipeline-phase-1-again');
  });

  it('runs every phase with a double click on Run all: no error, one run, nothing lost', { timeout: onRealWorkspace ? 1_800_000 : 600_000 }, async () => {
    const { page } = h;
    let runRequests = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/runPhase') runRequests++;
    });
    const runAll = page.getByRole('button', { name: 'Run all' });
    await runAll.dblclick();
    await expect.poll(() => runAll.isDisabled()).toBe(true);
    await capture(page, 'shared-11-pipeline-running');
    await expect.poll(() => runAll.isEnabled(), { timeout: onRealWorkspace ? 1_700_000 : 540_000, interval: 1_000 }).toBe(true);
    for (const phase of ['crops', 'contexts', 'embeddings', 'index', 'validation']) {
      const row = page.getByTestId(`phase-${phase}`);
      expect(await row.getByTestId('phase-status').textContent(), (await row.locator('.message').textContent()) ?? '').toBe('done');
    }
    expect(await page.getByTestId('phase-validation').locator('.message').textContent()).toMatch(/filter checks passed; report \S+report\.html/);
    expect(runRequests).toBe(1);
    expect(await alert().count()).toBe(0);
    await expectReviewKept();
    await capture(page, 'shared-12-pipeline-run-all-done');
  });
});

describe('opening in plain words, and the recent list', () => {
  const flickr = resolve(sharedDir(), 'datasets', 'flickr-car-damage-parts');
  const form = () => h.page.locator('.sidebar-foot form').first();
  const open = async (path: string, options: { labelMap?: string; workspace?: string } = {}) => {
    await form().getByLabel('Dataset folder').fill(path);
    await form().getByLabel('Label map').fill(options.labelMap ?? '');
    await form().getByLabel('Workspace', { exact: true }).fill(options.workspace ?? '');
    await form().getByRole('button', { name: 'Open dataset' }).click();
  };

  it('refuses a relative path, an empty folder and a missing label map in words, keeping the open workspace', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Dataset', exact: true }).click();
    await page.getByText('Open another').click();
    await open('datasets/flickr');
    await expect.poll(() => alert().textContent()).toBe(
      `the dataset folder 'datasets/flickr' is not a full path: type the whole path from the top, e.g. ${join(homedir(), 'datasets/flickr')} (or ~/datasets/flickr)`,
    );
    await capture(page, 'shared-13-error-relative-path');
    await mkdir(join(h.dir, 'empty-folder'));
    await open(join(h.dir, 'empty-folder'));
    await expect.poll(() => alert().textContent()).toMatch(/^the dataset folder \S+empty-folder is empty: choose the folder that holds the JPEG, PNG/);
    await open(flickr, { labelMap: 'nomap.json' });
    await expect.poll(() => alert().textContent()).toBe(`label map ${join(flickr, 'nomap.json')} not found: name a file in the dataset folder (e.g. labelmap.json) or give its full path`);
    await capture(page, 'shared-14-error-missing-label-map');
    expect(await page.getByTestId('dataset-name').textContent()).toMatch(/^Workspace /);
  });

  it('opens a folder into a new workspace, and a search there says which phases to run and where', async () => {
    const { page } = h;
    const fresh = join(h.dir, 'ws-flickr');
    await open(flickr, { workspace: fresh });
    // The old error goes as the next action starts.
    await expect.poll(() => alert().count()).toBe(0);
    await page.getByText('70 photos', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Query text').fill('scratch');
    await page.getByRole('button', { name: 'Search', exact: true }).last().click();
    await expect.poll(() => alert().textContent(), { timeout: 30_000 }).toBe(
      `search needs this workspace's index, and there is none yet in ${fresh}: run phases 1 (crops) to 4 (index) on the Pipeline screen (or Run all there)`,
    );
    await capture(page, 'shared-15-error-search-before-index');
    // A dropped photo is still answered there, by the damage heads alone, and the screen says what is missing.
    await dropFile(page, '1.jpg', await readFile(join(flickr, '1.jpg')));
    await expect.poll(() => page.getByTestId('no-neighbours').textContent(), { timeout: 60_000 }).toMatch(/Run phases 3 \(embeddings\) and 4 \(index\) on the Pipeline screen\.$/);
    expect(await alert().count()).toBe(0);
  });

  it('goes back to the earlier workspace in one click, also after a restart', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Dataset', exact: true }).click();
    const recent = page.locator('.sidebar-foot').getByTestId('recent-workspace');
    await expect.poll(() => recent.evaluateAll((items) => items.map((i) => i.getAttribute('title')))).toEqual([join(h.dir, 'ws-flickr'), workspace]);
    await recent.nth(1).click();
    // Opening reads every source's photos again: seconds for the main job's 1,070.
    await expect.poll(() => page.getByTestId('dataset-name').textContent(), { timeout: 60_000 }).toMatch(/^Workspace /);
    expect((await h.service.call('currentDataset', {}))!.workspace).toBe(workspace);

    // Another start of the app with the same state folder: nothing open, the list on the start screen.
    const service = new AppService({ defaultWorkspace: join(h.dir, 'ws-default'), stateDir: h.stateDir });
    const bridge = await startBridge({ service, rendererDir: join(h.dir, 'renderer') });
    const restarted = await h.browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await restarted.goto(bridge.openUrl);
      await restarted.getByText('No dataset open').waitFor();
      const entries = restarted.getByTestId('recent-workspace');
      await expect.poll(() => entries.first().getAttribute('title')).toBe(workspace);
      await capture(restarted, 'shared-16-start-screen-recent');
      await entries.first().click();
      await restarted.getByTestId('dataset-name').waitFor({ timeout: 60_000 });
      expect((await service.call('currentDataset', {}))!.workspace).toBe(workspace);
    } finally {
      await restarted.close();
      await service.dispose();
      await bridge.close();
    }
  });

  it('logged no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
