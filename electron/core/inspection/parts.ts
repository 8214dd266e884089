import { createCarLocator } from '../detector';
import { loadQueryEmbedder } from '../embedder/query';
import { RERUN_HINT } from '../index/store';
import { loadDamageModel } from '../learning/damage-model';
import { Retriever } from '../retriever';
import { workspacePaths } from '../workspace/workspace';
import type { InspectorParts } from './inspect';

export interface OpenedInspector extends InspectorParts {
  /** Why there are no neighbours, when the workspace has no usable index (the heads still answer). */
  retrievalUnavailable: string | null;
  dispose(): Promise<void>;
}

/**
 * Everything an inspection needs, loaded once: the damage heads, the car locator (detector box; the heads judge every
 * cell, so no mask is needed) and, when the workspace has embeddings and an index, the query embedder and retriever.
 */
export async function openInspector(workspace: string, options: { headsManifest?: string } = {}): Promise<OpenedInspector> {
  const damageModel = await loadDamageModel(options.headsManifest, workspacePaths(workspace).modelCache);
  const locator = await createCarLocator({ mask: false });
  let retrieval: InspectorParts['retrieval'] = null;
  let retrievalUnavailable: string | null = null;
  try {
    const embedder = await loadQueryEmbedder(workspace);
    try {
      const retriever = await Retriever.open(workspace);
      const { model, dim } = retriever.index.config;
      if (embedder.embedder.manifest.id !== model || embedder.embedder.dim !== dim) {
        throw new Error(`the index holds ${model} vectors of dimension ${dim}, the embeddings are ${embedder.embedder.manifest.id} of dimension ${embedder.embedder.dim}; ${RERUN_HINT}`);
      }
      retrieval = { embedder, retriever };
    } catch (error) {
      await embedder.embedder.dispose();
      throw error;
    }
  } catch (error) {
    retrievalUnavailable = (error as Error).message;
  }
  return {
    damageModel,
    locator,
    retrieval,
    retrievalUnavailable,
    async dispose() {
      await Promise.all([damageModel.dispose(), locator.dispose(), retrieval?.embedder.embedder.dispose()]);
    },
  };
}
