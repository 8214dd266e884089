import { readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob, relative, resolve } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../electron/core/models/paths';

interface BuilderConfig {
  appId: string;
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
}

/** Files under `cwd` matching `glob` (fs.globSync is Node 22+; path.matchesGlob is in Node 20.17+). */
function globSync(glob: string, { cwd }: { cwd: string }): string[] {
  const parts = glob.split('/');
  const firstPattern = parts.findIndex((part) => /[*?{[]/.test(part));
  const root = join(cwd, ...parts.slice(0, firstPattern < 0 ? parts.length : firstPattern));
  let entries: string[];
  try {
    entries = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries.map((e) => relative(cwd, join(root, e))).filter((file) => matchesGlob(file, glob));
}

const config = load(readFileSync(resolve(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('parses and names the offline installer targets', () => {
    expect(config.appId).toBe('com.carlens.app');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('unpacks the native modules: every asarUnpack glob matches real files, the .node binaries among them', () => {
    const matched = config.asarUnpack.map((glob) => ({ glob, files: globSync(glob, { cwd: REPO_ROOT }) }));
    for (const { glob, files } of matched) expect(files.length, glob).toBeGreaterThan(0);
    const all = matched.flatMap((m) => m.files);
    for (const binary of [/onnxruntime_binding\.node$/, /sharp-[\w-]+-[\d.]+\.node$/, /libvips-cpp\.so/, /faiss-node\.node$/]) {
      expect(all.some((f) => binary.test(f)), String(binary)).toBe(true);
    }
  });

  it('ships the models as extra resources and hardens the binary with fuses', () => {
    for (const { from } of config.extraResources) {
      expect(globSync('**/*.{onnx,json,txt}', { cwd: resolve(REPO_ROOT, from) }).length, from).toBeGreaterThan(0);
    }
    expect(config.electronFuses.runAsNode).toBe(false);
    expect(config.electronFuses.onlyLoadAppFromAsar).toBe(true);
    expect(config.electronFuses.enableNodeCliInspectArguments).toBe(false);
  });
});
