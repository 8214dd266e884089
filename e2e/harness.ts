import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { startBridge, type Bridge } from '../electron/bridge/server';
import { writeFixture, type FixtureResult } from '../electron/core/fixture/fixture';
import { writeFixtureWorkspace, type FixtureWorkspace } from '../electron/core/fixture/workspace-fixture';
import { REPO_ROOT } from '../electron/core/models/paths';
import { AppService } from '../electron/services/app-service';

export const SCREENSHOTS = resolve(REPO_ROOT, 'test-results', 'screenshots');

export interface Harness {
  dir: string;
  fixture: FixtureResult;
  workspace: string;
  /** With `openWorkspace`: the pipeline-built workspace of two fixture datasets the bridge opened at start. */
  built: FixtureWorkspace | null;
  /** The app's state folder (recent workspaces), inside `dir`. */
  stateDir: string;
  service: AppService;
  bridge: Bridge;
  browser: Browser;
  page: Page;
  /** Errors the page logged or threw; a test fails on any. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Builds the real renderer with Vite, writes a fixture dataset in a temp folder, starts the HTTP bridge over a
 * real AppService and opens Chromium on it. `openWorkspace`: also builds a workspace from two fixture datasets with
 * the pipeline (phases 1-4) and opens it in the service before the page loads. `workspace`: a workspace built
 * elsewhere (built in `dir` by `build`, which gets `dir`), opened instead.
 */
export async function startHarness(
  fixture: { ko: number; ok: number; seed: number },
  options: { openWorkspace?: boolean; workspace?: (dir: string) => Promise<string> } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'carlens-e2e-'));
  const rendererDir = join(dir, 'renderer');
  await build({ configFile: resolve(REPO_ROOT, 'vite.config.ts'), build: { outDir: rendererDir, emptyOutDir: true }, logLevel: 'error' });
  const written = await writeFixture(join(dir, 'dataset'), { ...fixture, width: 640, height: 480 });
  const workspace = join(dir, 'workspace');
  const stateDir = join(dir, 'state');
  const service = new AppService({ defaultWorkspace: workspace, stateDir });
  // As `npm run bridge -- --workspace DIR` does: the workspace is open before the page loads.
  const built = options.openWorkspace ? await writeFixtureWorkspace(join(dir, 'built')) : null;
  if (built) await service.call('openWorkspace', { path: built.workspace });
  if (options.workspace) await service.call('openWorkspace', { path: await options.workspace(dir) });
  const bridge = await startBridge({ service, rendererDir });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (msg) => {
    // Failed API calls are logged by Chromium too; the tests that cause them assert the shown error instead.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(msg.text());
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  // The printed address: it carries the session token once, which the bridge turns into an HttpOnly cookie.
  await page.goto(bridge.openUrl);
  return {
    dir,
    fixture: written,
    workspace,
    built,
    stateDir,
    service,
    bridge,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await service.dispose();
      await bridge.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
