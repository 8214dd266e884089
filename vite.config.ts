import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The renderer build. Vite 8 transforms TSX with oxc itself (no React plugin needed: no fast refresh, which
 * the app does not use). `base: './'` keeps asset URLs relative, so the same build loads from Electron's
 * file:// and from the HTTP bridge.
 */
export default defineConfig({
  root: resolve(import.meta.dirname, 'renderer'),
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: resolve(import.meta.dirname, 'out', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  logLevel: 'warn',
});
