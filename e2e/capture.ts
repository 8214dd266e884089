import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expectAccessible } from './accessibility';
import { SCREENSHOTS } from './harness';

/** The two window sizes every state is shown at: a common laptop and the small size the layout must still serve. */
export const SCREEN_SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
] as const;

/** Waits (a few seconds at most) for the images in view to finish loading, so a screenshot shows them. */
async function imagesLoaded(page: Page): Promise<void> {
  await page
    .waitForFunction(() => [...document.images].every((img) => img.complete), undefined, { timeout: 5_000 })
    .catch(() => undefined);
}

/**
 * One state of the app, checked and kept: axe-core finds no serious or critical violation in it, and it is
 * screenshotted at each of SCREEN_SIZES as test-results/screenshots/<name>-<w>x<h>.png. The page goes back to the
 * size it had, so the test carries on as before. `prepare` runs after each resize (e.g. to scroll something in view).
 */
export async function capture(page: Page, name: string, prepare?: () => Promise<void>): Promise<void> {
  const before = page.viewportSize();
  await expectAccessible(page, name);
  for (const size of SCREEN_SIZES) {
    await page.setViewportSize(size);
    await prepare?.();
    await imagesLoaded(page);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`) });
  }
  if (before) await page.setViewportSize(before);
}
