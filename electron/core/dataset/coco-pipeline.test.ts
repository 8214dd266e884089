import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrops } from '../crops/run';
import { cocoDocument, writeCocoFolder, type FixturePhoto } from './coco-fixtures';
import { loadDataset } from './load';

const run = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');

const PHOTOS: FixturePhoto[] = [
  { file: 'left_jpg.rf.0a1b.jpg', width: 640, height: 480, shapes: [{ label: 'scratch', polygon: [[100, 100], [180, 110], [170, 160], [90, 150]] }] },
  { file: 'right_jpg.rf.2c3d.jpg', width: 640, height: 480, shapes: [{ label: 'dent', box: [300, 200, 80, 60] }, { label: 'bumper', polygon: [[0, 300], [640, 300], [640, 480], [0, 480]] }] },
];

describe('a COCO folder through the CLI scan and phase 1', () => {
  let root: string;
  let dataset: string;
  let workspace: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'carlens-coco-pipeline-'));
    dataset = join(root, 'valid');
    workspace = join(root, 'workspace');
    await writeCocoFolder(dataset, PHOTOS);
    await writeFile(join(dataset, 'labelmap.json'), JSON.stringify({ map: { scratch: 'surface_scratch', dent: 'dent' } }));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('scan --json reports the COCO folder like any other', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'scan', dataset, '--json', '--workspace', workspace], { cwd: repo });
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      format: 'coco',
      photos: 2,
      states: { damaged: 2, undamaged: 0 },
      labels: { bumper: 1, dent: 1, scratch: 1 },
      nonDamageLabels: { bumper: 1 },
      problems: { errors: 0, warnings: 0 },
      problemList: [],
    });
    expect(report.damageTypes.dent).toEqual({ shapes: 1, photos: 1 });
    expect(report.damageTypes.surface_scratch).toEqual({ shapes: 1, photos: 1 });
    expect(JSON.parse(await readFile(join(workspace, 'scan.json'), 'utf8'))).toEqual(report);
  });

  it('crops around the damage, and redoes only the photo whose polygon changed in the shared COCO file', async () => {
    const first = await runCrops({ dataset: await loadDataset(dataset), workspace, locator: null });
    expect(first).toMatchObject({ photos: 2, damagedPhotos: 2, processed: 2, failures: [] });
    expect(first.crops.clustered).toBe(2);

    const unchanged = await runCrops({ dataset: await loadDataset(dataset), workspace, locator: null });
    expect([unchanged.processed, unchanged.skippedUpToDate]).toEqual([0, 2]);

    const document = cocoDocument(PHOTOS);
    document.annotations[0]!.segmentation = [[300, 300, 380, 310, 370, 360, 290, 350]];
    await writeFile(join(dataset, '_annotations.coco.json'), JSON.stringify(document));
    const moved = await runCrops({ dataset: await loadDataset(dataset), workspace, locator: null });
    expect([moved.processed, moved.skippedUpToDate]).toEqual([1, 1]);
  });
});
