import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../../core/index';
import { CropTable } from '../../core/index/crop-table';
import { readCropTable, writeCropTable } from '../../core/index/crop-table-file';
import { writeSyntheticEmbeddings } from '../../core/index/synthetic';
import { workspacePaths } from '../../core/workspace/workspace';
import { UsageError } from '../command';
import { validateCommand } from './validate';

let workspace: string;
let generation: number;
beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'carlens-validate-cli-'));
  await writeSyntheticEmbeddings(workspace, { count: 500, dim: 16, seed: 4 });
  ({ generation } = await buildIndex({ workspace }));
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

async function run(values: Record<string, string>, json = false): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await validateCommand.run({ positionals: [], values, workspace, json, stdout, stderr: new PassThrough() });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe('validate command', () => {
  it('prints the summary table and exits 0 on a sound index', async () => {
    const { code, stdout } = await run({ k: '5' });
    expect(code).toBe(0);
    expect(stdout).toMatch(/pass {2}vehicle_zone \(one\) +mismatches 0, underfilled 0/);
    expect(stdout).toContain('leakage-free P@5');
    expect(stdout).toContain('result     filter checks pass');
    // The live report: the first generation of validation/.
    expect(stdout).toContain(join(workspacePaths(workspace).validationDir, 'gen-1', 'report.html'));
  });

  it('exits 1 and names the violation when the index metadata disagrees with phase 3', async () => {
    const generationPath = join(workspacePaths(workspace).indexDir, `gen-${generation}`);
    // Every crop claims to be damaged: the has_damage false filter now returns nothing though clean crops exist.
    const records = (await readCropTable(generationPath)).records().map((r) => ({ ...r, has_damage: true }));
    await writeCropTable(generationPath, CropTable.fromRecords(records));
    const { code, stdout } = await run({ k: '3' }, true);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.passed).toBe(false);
    const clean = report.filter_checks.checks.find((c: { name: string }) => c.name === 'has_damage false');
    expect(clean).toMatchObject({ passed: false, underfilled: clean.queries });
  });

  it('refuses a bad k', async () => {
    await expect(run({ k: '0' })).rejects.toThrow(UsageError);
  });
});
