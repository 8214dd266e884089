import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const coreDir = join(dirname(fileURLToPath(import.meta.url)), 'core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [path] : [];
  });
}

/** Static imports, re-exports, dynamic imports and require() calls. */
function importSpecifiers(source: string): string[] {
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

export function boundaryViolations(dir: string): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importSpecifiers(readFileSync(file, 'utf8')).flatMap((specifier) => {
      const where = relative(dir, file);
      if (specifier === 'electron' || specifier.startsWith('electron/')) {
        return [`${where} imports '${specifier}'`];
      }
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (relative(dir, target).startsWith('..')) return [`${where} imports '${specifier}' from outside electron/core`];
      }
      return [];
    }),
  );
}

describe('electron/core import boundary', () => {
  it('imports nothing from electron, main, preload, renderer or the CLI', () => {
    expect(boundaryViolations(coreDir)).toEqual([]);
  });

  it('catches a violation when one is present', async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const root = await mkdtemp(join(tmpdir(), 'boundary-'));
    try {
      await mkdir(join(root, 'core', 'a'), { recursive: true });
      await writeFile(join(root, 'core', 'a', 'ok.ts'), "import { x } from '../b/y';\nimport sharp from 'sharp';\n");
      await writeFile(join(root, 'core', 'a', 'bad.ts'), "import { app } from 'electron';\nexport const y = await import('../../main/window');\n");
      expect(boundaryViolations(join(root, 'core')).sort()).toEqual([
        "a/bad.ts imports '../../main/window' from outside electron/core",
        "a/bad.ts imports 'electron'",
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
