import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { readJsonFile } from '../workspace/json-file';
import { withWorkspaceLock } from '../workspace/lock';
import { workspacePaths } from '../workspace/workspace';

/**
 * The workspace's review decisions, keyed by stable crop id (see crops/crop-id.ts): `<workspace>/review/journal.json`.
 * It is the one source of truth for rejections and hand-written contexts; every phase applies it to what it reads
 * (phase 1 to the new crops, 2 to its contexts, 3 and 4 to the crops they embed and index), so a decision survives
 * re-running any subset of phases. An entry whose crop no longer exists is kept and reported as orphaned, never
 * moved to another crop.
 */
export interface ReviewJournal {
  version: 1;
  rejected: Record<string, { at: string }>;
  contexts: Record<string, { text: string; at: string }>;
  /** Not stored: set when there is no journal file yet, so the phases' own `rejected` flags still count. */
  legacy?: true;
}

const JournalSchema = z.object({
  version: z.literal(1),
  rejected: z.record(z.string(), z.object({ at: z.string() })),
  contexts: z.record(z.string(), z.object({ text: z.string().min(1), at: z.string() })),
});

const LegacyOverridesSchema = z.object({
  version: z.literal(1),
  overrides: z.record(z.string(), z.object({ text: z.string().min(1), edited_at: z.string() })),
});

const LegacyCropsSchema = z.looseObject({
  generated_at: z.string().optional(),
  crops: z.array(z.looseObject({ crop_id: z.string(), rejected: z.boolean().optional() })),
});

/**
 * The journal; empty when there is none. A workspace from before the journal gets its decisions from where they
 * were kept (contexts/overrides.json, `rejected` in crops.json), under the ids they had: an id the new id scheme
 * no longer produces is then reported as orphaned by the next phase 1.
 */
export async function readJournal(workspace: string): Promise<ReviewJournal> {
  const paths = workspacePaths(workspace);
  const journal = await readJsonFile(paths.reviewJournal, JournalSchema, 'a review journal');
  if (journal) return journal;
  const imported: ReviewJournal = { version: 1, rejected: {}, contexts: {}, legacy: true };
  const overrides = await readJsonFile(paths.contextOverrides, LegacyOverridesSchema, 'a context overrides file');
  for (const [id, o] of Object.entries(overrides?.overrides ?? {})) imported.contexts[id] = { text: o.text, at: o.edited_at };
  const crops = await readJsonFile(paths.cropsMetadata, LegacyCropsSchema, 'crops metadata');
  const at = crops?.generated_at ?? new Date(0).toISOString();
  for (const c of crops?.crops ?? []) if (c.rejected) imported.rejected[c.crop_id] = { at };
  return imported;
}

// Read-modify-write of one file: edits made at the same time in this process are applied one after the other,
// each as the workspace's only writer (another process's run or edit is refused, not overwritten).
let queue: Promise<unknown> = Promise.resolve();

/** Changes the journal under the workspace lock (re-entered when the caller holds it), written atomically. */
export function updateJournal(workspace: string, what: string, change: (journal: ReviewJournal) => void): Promise<ReviewJournal> {
  const task = () =>
    withWorkspaceLock(workspace, what, async () => {
      const journal = await readJournal(workspace);
      delete journal.legacy;
      change(journal);
      await writeJsonAtomic(workspacePaths(workspace).reviewJournal, journal);
      return journal;
    });
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/** Records a crop rejected, or accepted again (its entry removed). */
export function setRejectedInJournal(workspace: string, cropId: string, rejected: boolean, what = `review: ${rejected ? 'reject' : 'accept'} crop ${cropId}`): Promise<ReviewJournal> {
  return updateJournal(workspace, what, (j) => {
    if (rejected) j.rejected[cropId] = { at: new Date().toISOString() };
    else delete j.rejected[cropId];
  });
}

export interface AppliedJournal {
  crops: CropRecord[];
  /** Journal ids (rejections, then contexts) that name no crop of the list. */
  orphaned: string[];
}

/**
 * The crops with the journal's decisions: `rejected` set exactly for the rejected ids, a journal context replacing
 * text_description (context_edited true). Records are copied, never changed in place.
 */
export function applyJournal(crops: readonly CropRecord[], journal: ReviewJournal): AppliedJournal {
  const ids = new Set(crops.map((c) => c.crop_id));
  const out = crops.map((crop) => {
    const { rejected: _r, ...rest } = crop;
    // Without a journal file (a workspace from before it), a phase's own flag is kept.
    const isRejected = journal.rejected[crop.crop_id] !== undefined || (journal.legacy === true && crop.rejected === true);
    const record: CropRecord = isRejected ? { ...rest, rejected: true } : rest;
    const context = journal.contexts[crop.crop_id];
    return context ? { ...record, text_description: context.text, context_edited: true } : record;
  });
  const orphaned = [...new Set([...Object.keys(journal.rejected), ...Object.keys(journal.contexts)])].filter((id) => !ids.has(id));
  return { crops: out, orphaned };
}

/** A warning line for orphaned entries, or null when there are none. */
export function orphanWarning(orphaned: readonly string[]): string | null {
  if (orphaned.length === 0) return null;
  const shown = orphaned.slice(0, 10).join(', ');
  return `${orphaned.length} review decision(s) name a crop that no longer exists (kept in review/journal.json, applied to no other crop): ${shown}${orphaned.length > 10 ? ', …' : ''}`;
}
