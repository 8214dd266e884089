import { basename, resolve } from 'node:path';
import { sourceFingerprint } from '../workspace/fingerprint';
import { MANIFEST_PHASES, readWorkspaceManifest, type ManifestPhase, type PhaseRecord, type WorkspaceManifest } from '../workspace/manifest';
import { upstreamRecord } from '../workspace/phase-record';

/**
 * Each phase as workspace.json records it: never run, done, or stale (its input changed since it ran), with the
 * reason in words. Read from disk every time; a phase's own files say whether its output is there at all (see the
 * app's disk status), this says whether it is still up to date.
 */
export interface PhaseCondition {
  phase: ManifestPhase;
  state: 'never' | 'done' | 'stale';
  finished_at: string | null;
  counts: Record<string, number>;
  /** Why it is stale, e.g. "inputs changed: crops were re-cut after this index was built"; null otherwise. */
  reason: string | null;
}

/** What a change of each phase's output is called in a later phase's reason. */
const CHANGED: Record<ManifestPhase, string> = {
  crops: 'crops were re-cut',
  contexts: 'contexts were rewritten',
  embeddings: 'embeddings were re-made',
  index: 'the index was rebuilt',
  validation: 'validation ran again',
};
const MADE: Record<ManifestPhase, string> = {
  crops: 'these crops were cut',
  contexts: 'these contexts were written',
  embeddings: 'these embeddings were made',
  index: 'this index was built',
  validation: 'this validation ran',
};

function changed(phase: ManifestPhase, record: PhaseRecord): string {
  return record.change ? `${phase} changed (${record.change})` : CHANGED[phase];
}

/** How the sources differ from those phase 1 last cropped: added, removed, or with files changed since. */
async function sourceChanges(manifest: WorkspaceManifest, crops: PhaseRecord): Promise<string[]> {
  const cropped = crops.sources ?? {};
  const now = new Set(manifest.sources.map((s) => resolve(s.path)));
  const changes: string[] = [];
  for (const source of manifest.sources) {
    const path = resolve(source.path);
    const before = cropped[path];
    if (before === undefined) changes.push(`source ${basename(path)} added`);
    else if (before !== (await sourceFingerprint(source))) changes.push(`the files of source ${basename(path)} changed`);
  }
  for (const path of Object.keys(cropped)) if (!now.has(path)) changes.push(`source ${basename(path)} removed`);
  return changes;
}

/**
 * Every phase's condition. A phase is stale when the output it read has changed since (its recorded input is not
 * the previous phase's recorded output), or when what it read was itself stale: the reason then names the first
 * change in the chain, so the index says "crops were re-cut" rather than "contexts are stale".
 */
export async function workspacePhaseStates(workspace: string): Promise<Record<ManifestPhase, PhaseCondition>> {
  const manifest = await readWorkspaceManifest(workspace);
  const states = {} as Record<ManifestPhase, PhaseCondition>;
  /** Per phase, the change its output has not caught up with, in words (null: up to date). */
  const behind = new Map<ManifestPhase, string | null>();
  for (const phase of MANIFEST_PHASES) {
    const record = manifest?.phases[phase];
    if (!manifest || !record) {
      states[phase] = { phase, state: 'never', finished_at: null, counts: {}, reason: null };
      continue;
    }
    let cause: string | null = null;
    let reason: string | null = null;
    if (phase === 'crops') {
      const changes = await sourceChanges(manifest, record);
      if (record.interrupted) reason = 'phase 1 was interrupted before every photo was cropped: run it again';
      else if (changes.length > 0) reason = `inputs changed: ${changes.join(', ')} since ${MADE.crops}`;
      cause = record.interrupted ? 'phase 1 was interrupted' : changes.length > 0 ? `the dataset changed (${changes.join(', ')})` : null;
    } else {
      const upstream = upstreamRecord(manifest, phase);
      const upstreamBehind = upstream ? (behind.get(upstream.phase) ?? null) : null;
      if (upstream && upstreamBehind) cause = upstreamBehind;
      // A placeholder (input unknown) or another input than the previous phase's current output.
      else if (upstream && (record.input === null || record.input !== upstream.record.output)) cause = changed(upstream.phase, upstream.record);
      if (cause) reason = `inputs changed: ${cause} after ${MADE[phase]}`;
    }
    behind.set(phase, cause);
    states[phase] = { phase, state: reason ? 'stale' : 'done', finished_at: record.finished_at, counts: record.counts, reason };
  }
  return states;
}

/** Why the workspace's index is older than its inputs, or null when it is up to date (or its state is unknown). */
export async function indexStaleness(workspace: string): Promise<string | null> {
  const { index } = await workspacePhaseStates(workspace);
  return index.state === 'stale' ? index.reason : null;
}
