import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The app's root, which holds native-models/: `CARLENS_APP_ROOT` when set, else the repository root found from
 * this file (electron/core/models/paths.ts). Bundled into Electron's main this file is a chunk of out/main inside
 * app.asar, three folders up from which is nothing of ours, so Electron's main sets the variable first.
 */
export function appRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.CARLENS_APP_ROOT ? resolve(env.CARLENS_APP_ROOT) : resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** {@link appRoot} when this module was first loaded. */
export const REPO_ROOT = appRoot();

/**
 * Where weights and datasets that must not live in git are found: `CARLENS_SHARED_DIR`, else `../shared`
 * beside the checkout. Manifests refer to it as `${SHARED}`.
 */
export function sharedDir(): string {
  return resolve(process.env.CARLENS_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared'));
}

export const NATIVE_MODELS_DIR = resolve(REPO_ROOT, 'native-models');

/**
 * Resolves a file reference from a manifest: `${SHARED}/…` expands to {@link sharedDir}, a relative path is
 * relative to the manifest's folder, an absolute one is kept.
 */
export function resolveModelPath(reference: string, manifestDir: string): string {
  const expanded = reference.replace(/^\$\{SHARED\}/, sharedDir());
  return isAbsolute(expanded) ? expanded : resolve(manifestDir, expanded);
}

export function requireFile(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what} not found: ${path}`);
  return path;
}
