import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from './capture';
import { startHarness, type Harness } from './harness';

let h: Harness;

// A pipeline-built workspace (phases 1-4, two sources), so crops, contexts and an index exist from the start.
beforeAll(async () => {
  h = await startHarness({ ko: 1, ok: 1, seed: 4 }, { openWorkspace: true });
  await h.page.setViewportSize({ width: 1280, height: 720 });
});
afterAll(() => h?.close());

/** Each state passes axe-core and is screenshotted at 1440×900 and 1280×720 (see capture). */
const shot = (name: string) => capture(h.page, name);
const unreviewed = async () => Number(/^(\d+) unreviewed$/.exec((await h.page.getByTestId('unreviewed-count').textContent())!)![1]);
const currentId = () => h.page.getByTestId('current-crop-id').textContent();
/** Presses a key on the page (not in a field) and waits until the current crop is `id`. */
const press = async (key: string, id: string) => {
  await h.page.keyboard.press(key);
  await expect.poll(currentId).toBe(id);
};

describe('Review and edit at volume', () => {
  let ids: string[] = [];

  it('steps through the crop queue with keys, rejects with R and counts the unreviewed crops', async () => {
    const { page } = h;
    ids = (await h.service.call('listCrops', {})).crops.map((c) => c.cropId);
    const total = ids.length;
    expect(total).toBeGreaterThan(6);
    await page.getByRole('button', { name: 'Crop review' }).click();
    await page.getByTestId('current-crop').waitFor();
    expect(await currentId()).toBe(ids[0]);
    expect(await unreviewed()).toBe(total);
    expect(await page.getByTestId('queue-position').textContent()).toBe(`1 / ${total} crops`);
    expect(await page.getByTestId('review-keys').textContent()).toMatch(/A accept · R reject .* J\/→ next · K\/← previous/);

    // R rejects the current crop (saved in the review journal) and moves on.
    await press('r', ids[1]!);
    expect(await unreviewed()).toBe(total - 1);
    await page.getByRole('button', { name: 'rejected (1)' }).waitFor();
    const journal = JSON.parse(await readFile(join(h.built!.workspace, 'review', 'journal.json'), 'utf8')) as { rejected: Record<string, unknown> };
    expect(Object.keys(journal.rejected)).toEqual([ids[0]]);
    // J / → and K / ← step; leaving a crop counts it as reviewed.
    await press('j', ids[2]!);
    expect(await unreviewed()).toBe(total - 2);
    await press('ArrowRight', ids[3]!);
    expect(await unreviewed()).toBe(total - 3);
    await press('k', ids[2]!);
    await press('ArrowLeft', ids[1]!);
    expect(await unreviewed()).toBe(total - 4);
    expect(await page.getByTestId('queue-position').textContent()).toBe(`2 / ${total} crops`);
    // A accepts (here: keeps not rejected) and moves on.
    await press('a', ids[2]!);
    expect(await page.getByTestId('review-state').textContent()).toBe('accepted');
    expect(await unreviewed()).toBe(total - 4);
  });

  it('filters the queue by review state', async () => {
    const { page } = h;
    const total = ids.length;
    const filters = page.getByRole('group', { name: 'Show' });
    await filters.getByRole('button', { name: 'rejected (1)' }).click();
    await expect.poll(currentId).toBe(ids[0]);
    expect(await page.getByTestId('queue-position').textContent()).toBe('1 / 1 rejected');
    expect(await page.getByTestId('review-state').textContent()).toBe('rejected');
    // Next finds no other rejected crop: the queue stays.
    await page.keyboard.press('j');
    expect(await page.getByTestId('queue-position').textContent()).toBe('1 / 1 rejected');

    await filters.getByRole('button', { name: 'accepted (3)' }).click();
    await expect.poll(currentId).toBe(ids[1]);
    expect(await page.getByTestId('queue-position').textContent()).toBe('1 / 3 accepted');

    await filters.getByRole('button', { name: `unreviewed (${total - 4})` }).click();
    await expect.poll(currentId).toBe(ids[4]);
    expect(await page.getByTestId('queue-position').textContent()).toBe(`1 / ${total - 4} unreviewed`);
    // Reviewing a crop takes it out of this view; the count follows.
    await press('j', ids[5]!);
    expect(await unreviewed()).toBe(total - 5);
    expect(await page.getByTestId('queue-position').textContent()).toBe(`1 / ${total - 5} unreviewed`);

    await filters.getByRole('button', { name: `all (${total})` }).click();
    expect(await currentId()).toBe(ids[5]);
    await expect.poll(() => page.getByTestId('crop-box').count()).toBeGreaterThan(0);
    await shot('14-review-queue');
  });

  it('counts tokens while typing, shows the busy state while saving and clears the message on the next crop', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Contexts' }).click();
    const box = page.getByLabel('Context text');
    await box.waitFor();
    // The rejected crop is not in the editor's queue.
    const editable = (await h.service.call('listCrops', { includeRejected: false })).crops.map((c) => c.cropId);
    expect(editable).not.toContain(ids[0]);
    expect(await page.getByTestId('context-crop-id').textContent()).toBe(editable[0]);
    expect(await page.getByTestId('queue-position').textContent()).toBe(`1 / ${editable.length} crops`);
    // The crop image beside the editor.
    await expect.poll(() => page.getByRole('img', { name: `crop ${editable[0]}` }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const count = page.getByTestId('token-count');
    const saved = await h.service.call('countTokens', { text: await box.inputValue() });
    expect(await count.textContent()).toMatch(new RegExp(`^${saved.tokens} / ${saved.limit} tokens`));

    // Keys typed into the text box edit the text, they do not move the queue.
    await box.fill('');
    await box.pressSequentially('jk dent on the rear bumper');
    expect(await page.getByTestId('context-crop-id').textContent()).toBe(editable[0]);
    const typed = await h.service.call('countTokens', { text: 'jk dent on the rear bumper' });
    await expect.poll(() => count.textContent()).toBe(`${typed.tokens} / ${typed.limit} tokens`);
    // Over the text tower's limit: shown as an error before saving.
    const long = 'scratch '.repeat(90).trim();
    await box.fill(long);
    const over = await h.service.call('countTokens', { text: long });
    expect(over.tokens).toBeGreaterThan(over.limit);
    await expect.poll(() => count.textContent()).toBe(`${over.tokens} / ${over.limit} tokens`);
    expect(await count.getAttribute('class')).toBe('error');

    const text = 'Deep scratch along the lower edge of the rear bumper, checked by hand.';
    await box.fill(text);
    // Held back a moment so the busy state can be seen; the save itself is the real one.
    await page.route('**/api/saveContext', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    });
    await page.getByRole('button', { name: 'Save and re-embed' }).click();
    const busy = page.getByRole('button', { name: 'Saving…' });
    await busy.waitFor();
    expect(await busy.isDisabled()).toBe(true);
    expect(await box.isDisabled()).toBe(true);
    const message = page.getByTestId('context-saved');
    await message.waitFor({ timeout: 60_000 });
    expect(await message.textContent()).toMatch(/updated in index generation \d+/);
    expect(await page.getByRole('button', { name: 'Save and re-embed' }).isDisabled()).toBe(true);
    await page.unroute('**/api/saveContext');
    expect((await h.service.call('getContext', { cropId: editable[0]! })).text).toBe(text);
    await shot('15-context-editor');

    // Next crop: its own text, and the previous crop's message is gone.
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => page.getByTestId('context-crop-id').textContent()).toBe(editable[1]);
    expect(await message.count()).toBe(0);
    await expect.poll(() => box.inputValue()).toBe((await h.service.call('getContext', { cropId: editable[1]! })).text);
    await page.keyboard.press('k');
    await expect.poll(() => page.getByTestId('context-crop-id').textContent()).toBe(editable[0]);
    await expect.poll(() => box.inputValue()).toBe(text);
  });

  it('logged no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
