import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildElectron } from './build';

describe('Electron main/preload build', () => {
  it('bundles a preload that requires nothing but electron, and an ESM main', async () => {
    const out = await mkdtemp(join(tmpdir(), 'carlens-build-'));
    try {
      await buildElectron(out);
      const preload = await readFile(join(out, 'preload', 'index.cjs'), 'utf8');
      const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
      expect(new Set(requires)).toEqual(new Set(['electron']));
      expect(preload).toContain('exposeInMainWorld');
      expect(preload).toContain('openDataset');
      expect(preload).toContain('carlens:');
      const main = await readFile(join(out, 'main', 'index.js'), 'utf8');
      expect(main).toMatch(/from ["']electron["']/);
      expect(main).toContain('requestSingleInstanceLock');
      // The app root is set before the core's paths are computed (a packaged app's import.meta.url is in app.asar).
      const setsRoot = main.indexOf('process.env.CARLENS_APP_ROOT ??=');
      expect(setsRoot).toBeGreaterThan(-1);
      expect(setsRoot).toBeLessThan(main.indexOf('NATIVE_MODELS_DIR = '));
      // The renderer comes from the privileged app:// scheme, never file://; nothing is opened outside the app.
      expect(main).toContain('registerSchemesAsPrivileged');
      expect(main).toContain('app://carlens/index.html');
      expect(main).not.toMatch(/openExternal\(/);
      expect(main).toMatch(/devTools: !app\.isPackaged/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
