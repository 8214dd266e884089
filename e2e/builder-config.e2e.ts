import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob, relative, resolve } from 'node:path';
import { load } from 'js-yaml';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../electron/core/models/paths';

interface BuilderConfig {
  appId: string;
  directories: { buildResources: string };
  asarUnpack: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon?: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
}

/** Files under `cwd` matching `glob` (fs.globSync is Node 22+; path.matchesGlob is in Node 20.17+). */
function globSync(glob: string, { cwd }: { cwd: string }): string[] {
  const parts = glob.split('/');
  const firstPattern = parts.findIndex((part) => /[*?{[]/.test(part));
  if (firstPattern < 0) return existsSync(join(cwd, glob)) ? [glob] : [];
  const root = join(cwd, ...parts.slice(0, firstPattern));
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

  it('ships the models and the window icon as extra resources and hardens the binary with fuses', () => {
    for (const { from, filter } of config.extraResources) {
      const files = filter.flatMap((glob) => globSync(glob, { cwd: resolve(REPO_ROOT, from) }));
      expect(files.length, from).toBeGreaterThan(0);
    }
    expect(config.extraResources.find((r) => r.from === 'resources')).toMatchObject({ to: 'resources', filter: ['icon-256.png'] });
    expect(config.electronFuses.runAsNode).toBe(false);
    expect(config.electronFuses.onlyLoadAppFromAsar).toBe(true);
    expect(config.electronFuses.enableNodeCliInspectArguments).toBe(false);
  });

  it('gives every platform an icon from resources/ that is a real PNG of at least the size it needs', async () => {
    expect(config.directories.buildResources).toBe('resources');
    const buildResources = resolve(REPO_ROOT, config.directories.buildResources);
    // Linux has no icon entry: electron-builder derives its icon set from icon.png in buildResources.
    expect(config.linux.icon).toBeUndefined();
    const icons = [
      { file: join(buildResources, config.mac.icon), min: 512 },
      { file: join(buildResources, config.win.icon), min: 256 },
      { file: join(buildResources, 'icon.png'), min: 512 },
      // The window icon (electron/main/window.ts), shipped by the extraResources entry checked above.
      { file: join(REPO_ROOT, 'resources', 'icon-256.png'), min: 256 },
    ];
    for (const { file, min } of icons) {
      const meta = await sharp(file).metadata();
      expect(meta.format, file).toBe('png');
      expect(meta.width, file).toBe(meta.height);
      expect(meta.width, file).toBeGreaterThanOrEqual(min);
    }
  });
});
