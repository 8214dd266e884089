import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { listDatasetFiles } from '../dataset/dataset-files';
import type { ManifestPhase, WorkspaceSource } from './manifest';

/**
 * Cheap fingerprints that tell whether a phase's input changed since it ran. Outputs are fingerprinted by what
 * they mean to the next phase, never by file times: re-running a phase that produces the same crops leaves the
 * later phases up to date. Review decisions (rejections, hand-written contexts) are left out: they are applied to
 * the live outputs and every phase re-applies them, so they never make a phase stale.
 */

/** Fields a phase adds to a crop record, and the review's; each phase's projection drops what is not its own. */
const CONTEXT_FIELDS = ['specific_part', 'text_description', 'context_edited'];
const EMBEDDING_FIELDS = ['embedding_index', 'embedding_model', 'embedding_dim', 'embedding_norm', 'fusion_strategy'];
const REVIEW_FIELDS = ['rejected'];

type RecordLike = Readonly<Record<string, unknown>>;

function omit(record: RecordLike, fields: readonly string[]): RecordLike {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !fields.includes(key)));
}

function pick(record: RecordLike, fields: readonly string[]): RecordLike {
  return Object.fromEntries(fields.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]));
}

/**
 * What a record of each phase's output means downstream. Phase 2's text is left out: it follows from the crop's
 * fields and part, and a hand-written text is a review decision; whether a text could be made is kept.
 */
const PROJECTIONS: Record<ManifestPhase, (record: RecordLike) => RecordLike> = {
  crops: (r) => omit(r, [...CONTEXT_FIELDS, ...EMBEDDING_FIELDS, ...REVIEW_FIELDS]),
  contexts: (r) => ({ ...omit(r, [...CONTEXT_FIELDS, ...EMBEDDING_FIELDS, ...REVIEW_FIELDS]), specific_part: r.specific_part ?? null, has_text: Boolean(r.text_description) }),
  embeddings: (r) => pick(r, ['crop_id', ...EMBEDDING_FIELDS]),
  index: (r) => pick(r, ['crop_id', 'embedding_model', 'embedding_dim']),
  validation: (r) => r,
};

/** JSON with object keys sorted, so equal content always gives equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as RecordLike).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function digest(lines: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex').slice(0, 32);
}

/** A phase's output: its records by their projection, in any order, plus what else decides it (model, index type). */
export function outputFingerprint(phase: ManifestPhase, records: readonly object[], extra: unknown = null): string {
  const lines = records.map((r) => stableJson(PROJECTIONS[phase](r as RecordLike))).sort();
  return digest([phase, stableJson(extra), ...lines]);
}

/**
 * A source folder as phase 1 reads it: how it is read, and the name, size and modification time of every file the
 * loader lists (photos, annotations, label map, zone table) and of a label map or zone table named outside it.
 * Reads no file's content, so a folder of thousands of photos is fingerprinted in milliseconds.
 */
export async function sourceFingerprint(source: WorkspaceSource): Promise<string> {
  const root = resolve(source.path);
  const settings = stableJson({ state: source.state ?? null, labelMap: source.labelMap ?? null, zones: source.zones ?? null, prefix: source.prefix ?? null });
  const names = await listDatasetFiles(root).catch(() => null);
  if (names === null) return digest([settings, 'folder missing or unreadable']);
  const files = [...names.map((name) => join(root, name)), ...[source.labelMap, source.zones].filter((f): f is string => f !== undefined)];
  const lines = await Promise.all(
    files.map(async (file) => {
      const info = await stat(file).catch(() => null);
      return `${file}\t${info ? `${info.size}\t${info.mtimeMs}` : 'missing'}`;
    }),
  );
  return digest([settings, ...lines]);
}

/** Phase 1's input: every source's fingerprint, by path, in the sources' order. */
export async function sourcesFingerprint(sources: readonly WorkspaceSource[]): Promise<{ input: string; bySource: Record<string, string> }> {
  const bySource: Record<string, string> = {};
  for (const source of sources) bySource[resolve(source.path)] = await sourceFingerprint(source);
  return { input: combineSources(bySource), bySource };
}

export function combineSources(bySource: Readonly<Record<string, string>>): string {
  return digest(Object.entries(bySource).map(([path, fingerprint]) => `${path}\t${fingerprint}`));
}
