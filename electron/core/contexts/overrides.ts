import { readCropsMetadata } from '../crops/metadata';
import { readJournal, updateJournal } from '../review/journal';
import { loadClipTokenizer, type ClipTokenizer } from '../text/clip-tokenizer';
import { workspacePaths } from '../workspace/workspace';

/**
 * Context texts a person wrote by hand; every later phase uses them instead of the generated text. They are kept
 * in the review journal (`review/journal.json`, see core/review/journal.ts) by stable crop id; contexts/overrides.json
 * of older workspaces is imported from there.
 */
export interface ContextOverride {
  text: string;
  edited_at: string;
}

export interface ContextOverrides {
  version: 1;
  overrides: Record<string, ContextOverride>;
}

/** The workspace's overrides; empty when there are none yet. Throws, naming the file, when it is not valid. */
export async function loadOverrides(workspace: string): Promise<ContextOverrides> {
  const { contexts } = await readJournal(workspace);
  const overrides = Object.fromEntries(Object.entries(contexts).map(([id, c]) => [id, { text: c.text, edited_at: c.at }]));
  return { version: 1, overrides };
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
  await updateJournal(workspace, `context edit (crop ${cropId})`, (j) => void (j.contexts[cropId] = { text: override.text, at: override.edited_at }));
  return override;
}

/** Goes back to the generated text for a crop; no error when it had no override. */
export async function clearContextOverride(workspace: string, cropId: string): Promise<void> {
  await updateJournal(workspace, `context reset (crop ${cropId})`, (j) => void delete j.contexts[cropId]);
}
