import { resolve } from 'node:path';
import { outputFingerprint, sourcesFingerprint } from './fingerprint';
import { MANIFEST_PHASES, updateWorkspaceManifest, withPrefixes, type ManifestPhase, type PhaseRecord, type RecordedSource, type WorkspaceManifest, type WorkspaceSource } from './manifest';

export interface PhaseOutcome {
  /** The crop records the phase wrote (none for validation). */
  records: readonly object[];
  counts: Record<string, number>;
  /** What else decides the output, folded into its fingerprint (the model and fusion, the index type, a verdict). */
  extra?: unknown;
  /** Phase 1: the sources it cropped, as read. */
  sources?: readonly WorkspaceSource[];
  /** Phase 3: the embedding model it used. */
  model?: WorkspaceManifest['model'];
  /** Phase 1 stopped before every photo was visited (cancelled or failed); what it kept is recorded all the same. */
  interrupted?: boolean;
}

/** The nearest earlier phase with a record: what a phase read (phase 3 reads phase 1's crops when 2 never ran). */
export function upstreamRecord(manifest: WorkspaceManifest, phase: ManifestPhase): { phase: ManifestPhase; record: PhaseRecord } | null {
  for (let i = MANIFEST_PHASES.indexOf(phase) - 1; i >= 0; i--) {
    const earlier = MANIFEST_PHASES[i]!;
    const record = manifest.phases[earlier];
    if (record) return { phase: earlier, record };
  }
  return null;
}

/**
 * Records a phase's outcome in workspace.json, as the workspace's writer (see updateWorkspaceManifest): when it
 * finished, its counts, and the fingerprints that later tell whether it is stale. Phase 1 also records the sources
 * it cropped (keeping when each was added) and each source's file-list fingerprint; phase 3 the model it used.
 * Every phase calls it once, at its end.
 */
export function recordPhaseOutcome(workspace: string, phase: ManifestPhase, outcome: PhaseOutcome): Promise<WorkspaceManifest> {
  return updateWorkspaceManifest(workspace, `phase ${phase}: record its outcome`, async (manifest) => {
    const record: PhaseRecord = {
      finished_at: new Date().toISOString(),
      counts: outcome.counts,
      input: upstreamRecord(manifest, phase)?.record.output ?? null,
      output: outputFingerprint(phase, outcome.records, outcome.extra ?? null),
    };
    if (phase === 'crops' && outcome.sources) {
      const sources = recordedSources(manifest.sources, outcome.sources);
      const { input, bySource } = await sourcesFingerprint(sources);
      Object.assign(record, { input, sources: bySource });
      manifest.sources = sources;
    }
    if (outcome.interrupted) record.interrupted = true;
    if (outcome.model !== undefined) manifest.model = outcome.model;
    manifest.phases[phase] = record;
  });
}

/** Sources as phase 1 read them, with their photo-id prefixes and when each joined the workspace. */
function recordedSources(before: readonly RecordedSource[], read: readonly WorkspaceSource[]): RecordedSource[] {
  const addedAt = new Map(before.map((s) => [resolve(s.path), s.added_at]));
  const now = new Date().toISOString();
  return withPrefixes(read).map((s) => ({ ...s, path: resolve(s.path), added_at: addedAt.get(resolve(s.path)) ?? now }));
}
