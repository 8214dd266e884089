import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CropRecord } from '../core/crops/crop-record';
import type { ClipTokenizer } from '../core/text/clip-tokenizer';
import type { ContextDto } from '../shared/ipc-contract';
import type { LiveRetrieval } from './live-retrieval';

interface ContextsFile {
  version: 1;
  generated_at: string;
  crops: CropRecord[];
}

async function paths(workspace: string) {
  const { workspacePaths } = await import('../core/workspace/workspace');
  return workspacePaths(workspace);
}

/** Phase 2's output, or null before phase 2 has run. */
export async function readContextsFile(workspace: string): Promise<ContextsFile | null> {
  const { contexts } = await paths(workspace);
  if (!existsSync(contexts)) return null;
  try {
    return JSON.parse(await readFile(contexts, 'utf8')) as ContextsFile;
  } catch (error) {
    throw new Error(`${contexts}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Reading and hand-editing crop contexts. An edit is stored as an override (phase 2 keeps it on every later
 * run), written into contexts.json at once, and, when an index exists, re-embedded and updated in place.
 */
export class ContextService {
  /** `retrieval`: the open workspace's index and query embedder, shared with search and inspection. */
  constructor(private readonly retrieval: LiveRetrieval) {}

  private tokenizer: Promise<ClipTokenizer> | null = null;

  private getTokenizer(): Promise<ClipTokenizer> {
    this.tokenizer ??= import('../core/text/clip-tokenizer').then((m) => m.loadClipTokenizer());
    return this.tokenizer;
  }

  async get(workspace: string, cropId: string): Promise<ContextDto> {
    const file = await readContextsFile(workspace);
    if (!file) throw new Error('no contexts yet: run phase 2 (contexts) first');
    const record = file.crops.find((c) => c.crop_id === cropId);
    if (!record) throw new Error(`no crop '${cropId}' in the contexts of ${workspace}`);
    const { loadOverrides } = await import('../core/contexts');
    const override = (await loadOverrides(workspace)).overrides[cropId];
    const text = override?.text ?? record.text_description ?? '';
    const tokenizer = await this.getTokenizer();
    return { cropId, text, edited: override !== undefined, tokens: tokenizer.count(text), limit: tokenizer.contextLength, reindexed: null };
  }

  /** Tokens of any text (no workspace needed) and the text tower's limit. */
  async count(text: string): Promise<{ tokens: number; limit: number }> {
    const tokenizer = await this.getTokenizer();
    return { tokens: tokenizer.count(text), limit: tokenizer.contextLength };
  }

  async save(workspace: string, cropId: string, text: string): Promise<ContextDto> {
    const { setContextOverride } = await import('../core/contexts');
    const tokenizer = await this.getTokenizer();
    const override = await setContextOverride(workspace, cropId, text, tokenizer);
    const file = await readContextsFile(workspace);
    const record = file?.crops.find((c) => c.crop_id === cropId);
    if (file && record) {
      record.text_description = override.text;
      record.context_edited = true;
      const { writeJsonAtomic } = await import('../core/workspace/atomic-write');
      await writeJsonAtomic((await paths(workspace)).contexts, file);
    }
    const reindexed = record ? await this.reembed(workspace, record) : 'saved as an override; phase 2 has not written contexts yet';
    return { cropId, text: override.text, edited: true, tokens: tokenizer.count(override.text), limit: tokenizer.contextLength, reindexed };
  }

  /**
   * Re-embeds one crop with its new text and replaces its vector in the live index, with the query embedder and the
   * index the app holds open (`retrieval`, shared with search), so a save neither reloads the model nor re-reads the
   * index, and searches use the generation it writes without reading it back.
   */
  private async reembed(workspace: string, record: CropRecord): Promise<string> {
    const { indexDir } = await paths(workspace);
    if (!existsSync(join(indexDir, 'current'))) return 'saved; no index yet, the next embeddings + index run uses the new text';
    // The model and fusion the index was built from (the lease checks they agree), so the new vector sits in the same space.
    const lease = await this.retrieval.lease(workspace);
    try {
      const { embedder, multiPatch } = lease.query;
      return await (await this.retrieval.index(workspace)).edit(async (index) => {
        if (index.rowOf(record.crop_id) === undefined) return 'saved; the crop is not in the index (rejected or not embedded)';
        const vector = await embedder.embedCrop({ image: join(workspace, record.crop_path), text: record.text_description ?? null }, { multiPatch });
        const config = await index.updateCrop(record.crop_id, vector, { text_description: record.text_description, context_edited: true });
        return `saved, re-embedded and updated in index generation ${config.generation}`;
      });
    } finally {
      lease.release();
    }
  }
}
