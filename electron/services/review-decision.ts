import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CropDto } from '../shared/ipc-contract';
import { cropDto } from './crops-view';
import type { LiveRetrieval } from './live-retrieval';

/**
 * Marks a crop rejected (or accepted again) in the review journal and crops.json; a rejected crop also leaves the
 * live index at once, through the index the app holds open (`retrieval`), so the generation the reject writes is
 * the one searches use next without being read back. Runs inside the workspace's edit queue (see WorkspaceEdits).
 */
export async function setCropRejected(workspace: string, cropId: string, rejected: boolean, retrieval: LiveRetrieval): Promise<CropDto> {
  const { readCropsMetadata, writeCropsMetadata } = await import('../core/crops/metadata');
  const { workspacePaths } = await import('../core/workspace/workspace');
  const path = workspacePaths(workspace).cropsMetadata;
  const metadata = await readCropsMetadata(path);
  if (!metadata) throw new Error(`no crops in ${workspace}: run phase 1 (crops) first`);
  const record = metadata.crops.find((c) => c.crop_id === cropId);
  if (!record) throw new Error(`no crop '${cropId}' in ${path}`);
  // The journal first: it is what every later phase re-applies (see core/review/journal.ts).
  const { setRejectedInJournal } = await import('../core/review/journal');
  await setRejectedInJournal(workspace, cropId, rejected);
  record.rejected = rejected;
  await writeCropsMetadata(path, metadata);
  // An accepted one comes back with the next index build. The edit applies to the live generation, the one the
  // previous edit left or a newer one another writer switched to.
  if (rejected && existsSync(join(workspacePaths(workspace).indexDir, 'current'))) {
    await (await retrieval.index(workspace)).edit(async (index) => {
      if (index.rowOf(cropId) !== undefined) await index.rejectCrop(cropId);
    });
  }
  return cropDto(record, workspace);
}
