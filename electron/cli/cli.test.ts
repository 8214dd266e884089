import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../core/models/paths';

const run = promisify(execFile);
const repo = resolve(__dirname, '..', '..');
const flickr = join(sharedDir(), 'datasets', 'flickr-car-damage-parts');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', ...args], { cwd: repo });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('carlens CLI', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'carlens-cli-'));
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it.skipIf(!existsSync(flickr))('scan --json prints the documented report and writes it into the workspace', async () => {
    const { code, stdout } = await cli(['scan', flickr, '--json', '--workspace', workspace]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ version: 1, format: 'labelme', photos: 70, states: { damaged: 70, undamaged: 0 } });
    expect(report.problemList.length).toBe(report.problems.errors + report.problems.warnings);
    expect(JSON.parse(await readFile(join(workspace, 'scan.json'), 'utf8'))).toEqual(report);
  });

  it('names the missing folder and exits 1', async () => {
    const { code, stderr } = await cli(['scan', '/no/such/folder', '--workspace', workspace]);
    expect(code).toBe(1);
    expect(stderr).toContain('dataset folder not found: /no/such/folder');
  });

  it('exits 2 with the usage on a bad option or an unknown command', async () => {
    const bad = await cli(['scan', flickr, '--state', 'broken']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--state must be damaged or undamaged, not 'broken'");
    expect(bad.stderr).toContain('usage: carlens scan');
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: frobnicate');
  });
});
