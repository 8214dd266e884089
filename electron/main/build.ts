/**
 * Builds Electron's main process and preload script with Vite's JS API (the renderer has vite.config.ts):
 * `npx tsx electron/main/build.ts`. Main is ESM with node_modules left external (native modules load from
 * app.asar.unpacked); the preload is one self-contained CommonJS file, as a sandboxed preload may only
 * require 'electron'.
 */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { build } from 'vite';
import { REPO_ROOT } from '../core/models/paths';

const nodeExternals = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export async function buildElectron(outDir = resolve(REPO_ROOT, 'out')): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir: resolve(outDir, 'main'),
      emptyOutDir: true,
      target: 'node20',
      ssr: resolve(REPO_ROOT, 'electron', 'main', 'index.ts'),
      rollupOptions: { output: { format: 'es', entryFileNames: 'index.js' } },
    },
    // SSR build: every bare import (electron, sharp, onnxruntime-node, faiss-node, zod, …) stays external.
    ssr: { external: true },
  });
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir: resolve(outDir, 'preload'),
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      lib: { entry: resolve(REPO_ROOT, 'electron', 'preload', 'index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
      rollupOptions: { external: ['electron', ...nodeExternals] },
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildElectron();
