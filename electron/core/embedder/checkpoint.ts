import { open, readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../workspace/atomic-write';
import { claimGeneration, discardGeneration, generationDir, listGenerations, readCurrent } from '../workspace/generations';
import { readTextIfExists } from '../workspace/json-file';
import type { Fusion } from './fusion';

/**
 * Phase 3's finished rows, kept in its claimed (not yet live) generation folder while it embeds, so a run that was
 * killed or stopped resumes from its last finished batch. Three append-only matrices (fused, image and text
 * vectors, float32 rows) and a log with one line per crop done (its row, or why it failed); each batch's rows
 * are fsynced before its log lines, so a logged row is always whole on disk. A kill can tear the last row or line:
 * opening drops what the log does not fully account for, back to the last whole batch. progress.json says what the rows were made from: a later
 * run resumes only when everything that decides the vectors is the same.
 */

export interface CheckpointPlan {
  model: string;
  fusion: Fusion;
  multi_patch: boolean;
  /** Crops to embed, in order. */
  crops: number;
  /**
   * Crops per batch. Part of the plan because onnxruntime's batched kernels round differently for another batch
   * shape: a run resumes only at a boundary of the batches it would have made, so its vectors are bit for bit
   * those of an uninterrupted run.
   */
  batch_size: number;
  dims: { fused: number; image: number; text: number };
  /** sha256 of the manifest and of the ordered crop records (texts included): what decides every vector. */
  fingerprint: string;
}

export type CheckpointLine = { crop: number; row: number; patches: number } | { crop: number; error: string };

export type CheckpointEntry =
  | { crop: number; vector: Float32Array; image: Float32Array; text: Float32Array | null; patches: number }
  | { crop: number; error: string };

export interface CheckpointRows {
  fused: Float32Array;
  image: Float32Array;
  text: Float32Array;
  lines: CheckpointLine[];
}

const PROGRESS = 'progress.json';
const LOG = 'rows.jsonl';
const MATRICES = { fused: 'fused.f32', image: 'image.f32', text: 'text.f32' } as const;
type Matrix = keyof typeof MATRICES;
const PROGRESS_VERSION = 1;

export class EmbeddingCheckpoint {
  private constructor(
    readonly generation: number,
    readonly dir: string,
    private readonly plan: CheckpointPlan,
    private lines: CheckpointLine[],
    /** Crops already done when this run started (0 for a fresh start). */
    readonly resumedAfter: number,
  ) {}

  /** Crops done so far, in order: the next run of the loop starts here. */
  get done(): number {
    return this.lines.length;
  }

  private get rows(): number {
    return this.lines.filter((l) => 'row' in l).length;
  }

  /**
   * Resumes the unfinished generation of `embeddingsDir` made from the same plan, or claims a new one. Every other
   * generation that is not live (an interrupted run of another plan, a folder killed before it went live) is
   * removed: the caller holds the workspace lock, so no other phase 3 is writing one.
   */
  static async open(embeddingsDir: string, plan: CheckpointPlan): Promise<EmbeddingCheckpoint> {
    const live = await readCurrent(embeddingsDir);
    let resumed: EmbeddingCheckpoint | null = null;
    for (const generation of (await listGenerations(embeddingsDir)).reverse()) {
      if (generation === live) continue;
      const dir = generationDir(embeddingsDir, generation);
      if (!resumed && (await sameProgress(dir, plan))) {
        const lines = await recover(dir, plan);
        resumed = new EmbeddingCheckpoint(generation, dir, plan, lines, lines.length);
      } else {
        await discardGeneration(embeddingsDir, generation);
      }
    }
    if (resumed) return resumed;
    const { generation, path } = await claimGeneration(embeddingsDir);
    await writeJsonAtomic(join(path, PROGRESS), { version: PROGRESS_VERSION, ...plan, started_at: new Date().toISOString() });
    return new EmbeddingCheckpoint(generation, path, plan, [], 0);
  }

  /** Appends one batch: its rows first (fsynced), then its log lines, which make them count. */
  async append(entries: CheckpointEntry[]): Promise<void> {
    const { fused, image, text } = this.plan.dims;
    const embedded = entries.filter((e) => 'vector' in e);
    const block = (pick: (e: (typeof embedded)[number]) => Float32Array | null, width: number): Buffer => {
      const out = new Float32Array(embedded.length * width);
      embedded.forEach((e, i) => {
        const values = pick(e);
        if (values) out.set(values, i * width);
      });
      return Buffer.from(out.buffer);
    };
    await appendSynced(join(this.dir, MATRICES.fused), block((e) => e.vector, fused));
    await appendSynced(join(this.dir, MATRICES.image), block((e) => e.image, image));
    // A crop without text keeps a zero row: validation tells "no text" from a text vector by its norm.
    await appendSynced(join(this.dir, MATRICES.text), block((e) => e.text, text));
    let row = this.rows;
    const lines: CheckpointLine[] = entries.map((e) => ('vector' in e ? { crop: e.crop, row: row++, patches: e.patches } : { crop: e.crop, error: e.error }));
    await appendSynced(join(this.dir, LOG), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    this.lines.push(...lines);
  }

  async read(): Promise<CheckpointRows> {
    const matrix = async (name: Matrix): Promise<Float32Array> => {
      const bytes = await readFile(join(this.dir, MATRICES[name]));
      // Copied, so the array is 4-byte aligned whatever buffer readFile returned.
      const values = new Float32Array(bytes.length / 4);
      new Uint8Array(values.buffer).set(bytes);
      return values;
    };
    return { fused: await matrix('fused'), image: await matrix('image'), text: await matrix('text'), lines: [...this.lines] };
  }

  /** Removes the checkpoint files once the outputs are written beside them: the folder then holds the set alone. */
  async finish(): Promise<void> {
    await Promise.all([PROGRESS, LOG, ...Object.values(MATRICES)].map((name) => rm(join(this.dir, name), { force: true })));
  }
}

async function sameProgress(dir: string, plan: CheckpointPlan): Promise<boolean> {
  const text = await readTextIfExists(join(dir, PROGRESS)).catch(() => null);
  if (text === null) return false;
  try {
    const { version, started_at: _started, ...recorded } = JSON.parse(text) as Record<string, unknown>;
    return version === PROGRESS_VERSION && JSON.stringify(recorded) === JSON.stringify(plan);
  } catch {
    return false;
  }
}

/**
 * The log lines whose rows are whole in all three matrices, in order; the files are cut back to exactly those, so
 * a torn last row or line (a kill in the middle of a write) is dropped and the next append starts clean.
 */
async function recover(dir: string, plan: CheckpointPlan): Promise<CheckpointLine[]> {
  const text = (await readTextIfExists(join(dir, LOG))) ?? '';
  const kept: { line: CheckpointLine; bytes: number; rows: number }[] = [];
  let rows = 0;
  // The text after the last newline is a torn line; a line out of sequence ends what can be trusted.
  for (const raw of text.split('\n').slice(0, -1)) {
    const line = parseLine(raw);
    if (!line || line.crop !== kept.length || ('row' in line && line.row !== rows)) break;
    if ('row' in line) rows++;
    kept.push({ line, bytes: Buffer.byteLength(raw) + 1, rows });
  }
  const widths: Record<Matrix, number> = { fused: plan.dims.fused, image: plan.dims.image, text: plan.dims.text };
  let wholeRows = Infinity;
  for (const name of Object.keys(MATRICES) as Matrix[]) {
    const size = (await stat(join(dir, MATRICES[name])).catch(() => null))?.size ?? 0;
    wholeRows = Math.min(wholeRows, Math.floor(size / (widths[name] * 4)));
  }
  // Rows are fsynced before their lines, so this only cuts lines whose rows a power cut lost.
  while (kept.length > 0 && kept.at(-1)!.rows > wholeRows) kept.pop();
  if (kept.length < plan.crops) kept.length -= kept.length % plan.batch_size;
  rows = kept.at(-1)?.rows ?? 0;
  for (const name of Object.keys(MATRICES) as Matrix[]) await truncateOrCreate(join(dir, MATRICES[name]), rows * widths[name] * 4);
  await truncateOrCreate(join(dir, LOG), kept.reduce((sum, k) => sum + k.bytes, 0));
  return kept.map((k) => k.line);
}

function parseLine(raw: string): CheckpointLine | null {
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    if (!Number.isInteger(value.crop)) return null;
    if (Number.isInteger(value.row) && Number.isInteger(value.patches)) return { crop: value.crop as number, row: value.row as number, patches: value.patches as number };
    if (typeof value.error === 'string') return { crop: value.crop as number, error: value.error };
    return null;
  } catch {
    return null;
  }
}

async function truncateOrCreate(path: string, length: number): Promise<void> {
  const handle = await open(path, 'a');
  await handle.close();
  await truncate(path, length);
}

async function appendSynced(path: string, data: string | Buffer): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    throw new Error(`${path}: checkpoint not written (${(error as Error).message})`, { cause: error });
  } finally {
    await handle.close();
  }
}
