import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelInfo } from '../shared/ipc-contract';

/**
 * The embedding model the app uses. The execution provider is only known once a model has been loaded, so it
 * comes from the last embeddings run of the workspace; before that, the manifest names the model alone.
 */
export async function modelInfo(workspace: string | null): Promise<ModelInfo> {
  if (workspace) {
    const { workspacePaths } = await import('../core/workspace/workspace');
    const { liveGenerationDir } = await import('../core/workspace/generations');
    const path = join(liveGenerationDir(workspacePaths(workspace).embeddingsDir), 'generation_info.json');
    const info = await readFile(path, 'utf8').then((t) => JSON.parse(t) as { model?: string; provider?: string; dim?: number; generated_at?: string }, () => null);
    if (info?.model) {
      return { modelId: info.model, provider: info.provider ?? null, dim: info.dim ?? null, note: `from the embeddings run of ${info.generated_at ?? 'unknown date'}` };
    }
  }
  const { readEmbedderManifest } = await import('../core/embedder/manifest');
  try {
    const manifest = await readEmbedderManifest();
    return { modelId: manifest.id, provider: null, dim: null, note: 'the execution provider is known after phase 3 (embeddings) has run' };
  } catch (error) {
    return { modelId: null, provider: null, dim: null, note: (error as Error).message };
  }
}
