import { z } from 'zod';
import { readCropsMetadata } from '../crops/metadata';
import { loadClipTokenizer, type ClipTokenizer } from '../text/clip-tokenizer';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { withWorkspaceLock } from '../workspace/lock';
import { readJsonFile } from '../workspace/json-file';
import { workspacePaths } from '../workspace/workspace';

/** Context texts a person wrote by hand; phase 2 uses them instead of the generated text on every run. */
export interface ContextOverride {
  text: string;
  edited_at: string;
}

export interface ContextOverrides {
  version: 1;
  overrides: Record<string, ContextOverride>;
}

const OverridesSchema = z.object({
  version: z.literal(1),
  overrides: z.record(z.string(), z.object({ text: z.string().min(1), edited_at: z.string() })),
});

/** The workspace's overrides; empty when there are none yet. Throws, naming the file, when it is not valid. */
export async function loadOverrides(workspace: string): Promise<ContextOverrides> {
  const path = workspacePaths(workspace).contextOverrides;
  return (await readJsonFile(path, OverridesSchema, 'a context overrides file')) ?? { version: 1, overrides: {} };
}

// Read-modify-write of one file: edits made at the same time in this process are applied one after the other,
// each as the workspace's only writer (another process's run or edit is refused, not overwritten).
let queue: Promise<unknown> = Promise.resolve();
function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

function update(workspace: string, what: string, change: (overrides: ContextOverrides['overrides']) => void): Promise<void> {
  return serialised(() =>
    withWorkspaceLock(workspace, what, async () => {
      const current = await loadOverrides(workspace);
      change(current.overrides);
      await writeJsonAtomic(workspacePaths(workspace).contextOverrides, current);
    }),
  );
}

/**
 * Stores a hand-written context for a crop. The text must be non-empty and fit the text encoder's context
 * length (a longer one would be cut silently by the encoder), and the crop must exist in phase 1's metadata.
 */
export async function setContextOverride(
  workspace: string,
  cropId: string,
  text: string,
  tokenizer?: ClipTokenizer,
): Promise<ContextOverride> {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new Error(`context for crop ${cropId}: the text is empty`);
  const tok = tokenizer ?? (await loadClipTokenizer());
  const tokens = tok.count(trimmed);
  if (tokens > tok.contextLength) {
    throw new Error(`context for crop ${cropId}: ${tokens} tokens, the text encoder reads at most ${tok.contextLength}; shorten the text`);
  }
  const metadataPath = workspacePaths(workspace).cropsMetadata;
  const metadata = await readCropsMetadata(metadataPath);
  if (!metadata) throw new Error(`${metadataPath}: no crops metadata; run crops first`);
  if (!metadata.crops.some((c) => c.crop_id === cropId)) throw new Error(`${metadataPath}: no crop ${cropId}`);
  const override = { text: trimmed, edited_at: new Date().toISOString() };
  await update(workspace, `context edit (crop ${cropId})`, (o) => void (o[cropId] = override));
  return override;
}

/** Goes back to the generated text for a crop; no error when it had no override. */
export async function clearContextOverride(workspace: string, cropId: string): Promise<void> {
  await update(workspace, `context reset (crop ${cropId})`, (o) => void delete o[cropId]);
}
