import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueryEmbedder } from '../core/embedder/query';
import type { ParsedRequest, Response } from '../shared/ipc-contract';
import { readQueryForSearch } from './query-interpretation';
import { assertSearchable } from './readiness';
import { indexFilters, searchResultDto, staleIndexNotice, withSourceSizes } from './search-view';

/**
 * Photo / text / photo + text search over a workspace's live index. Keeps the query embedder of the workspace's
 * current embeddings (model and fusion as indexed) between searches, since loading its ONNX sessions costs about
 * a second; reloaded when phase 3 has written new embeddings.
 */
export class SearchService {
  private cachedEmbedder: { key: string; loading: Promise<QueryEmbedder> } | null = null;

  /** `imagePath`: the query photo, already stored or checked by the caller. */
  async search(workspace: string, request: ParsedRequest<'search'>, imagePath: string | undefined): Promise<Response<'search'>> {
    const { text, filters, k } = request;
    assertSearchable(workspace);
    const { Retriever, inspectionAnswer } = await import('../core/retriever');
    const { embedder, multiPatch } = await this.queryEmbedder(workspace);
    // Opened per query: a reject, a context edit or a rebuild may have switched the index generation.
    const retriever = await Retriever.open(workspace, { model: embedder.manifest.id, dim: embedder.dim });
    const vector = await embedder.embedQuery({ imagePath, text: text?.trim() || undefined, multiPatch });
    // The text's zone / part / type / condition, proposed as filters that lift matching crops (issue #12).
    const { soft, interpretation } = await readQueryForSearch(text, embedder, indexFilters(filters));
    const results = retriever.search(vector, { k: k ?? 12, filters: indexFilters(filters), soft });
    const answer = inspectionAnswer(results);
    return {
      interpretation,
      results: await withSourceSizes(results.map((r) => searchResultDto(r, workspace))),
      answer: { hasDamage: answer.has_damage, damageTypes: answer.damage_types, zone: answer.zone, evidence: answer.evidence },
      staleIndex: await staleIndexNotice(workspace),
    };
  }

  private async queryEmbedder(workspace: string): Promise<QueryEmbedder> {
    const { workspacePaths } = await import('../core/workspace/workspace');
    const { liveGenerationDir } = await import('../core/workspace/generations');
    const info = join(liveGenerationDir(workspacePaths(workspace).embeddingsDir), 'generation_info.json');
    const key = `${info}@${(await stat(info).catch(() => null))?.mtimeMs ?? 'none'}`;
    if (this.cachedEmbedder?.key !== key) {
      const previous = this.cachedEmbedder?.loading;
      const { loadQueryEmbedder } = await import('../core/embedder/query');
      this.cachedEmbedder = { key, loading: loadQueryEmbedder(workspace) };
      this.cachedEmbedder.loading.catch(() => (this.cachedEmbedder = null));
      if (previous) void previous.then((q) => q.embedder.dispose(), () => undefined);
    }
    return this.cachedEmbedder!.loading;
  }

  /** Releases the query embedder's ONNX sessions. */
  async dispose(): Promise<void> {
    const cached = this.cachedEmbedder;
    this.cachedEmbedder = null;
    if (cached) await (await cached.loading.catch(() => null))?.embedder.dispose();
  }
}
