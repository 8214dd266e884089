export {
  loadEmbedder,
  MULTI_PATCH,
  type CropInput,
  type Embedder,
  type ExecutionProvider,
  type ImageOptions,
  type LoadEmbedderOptions,
  type QueryInput,
  type Settled,
} from './embedder';
export { checkFusion, fuse, fusedDim, type Fusion, type FusionStrategy } from './fusion';
export { DEFAULT_EMBEDDER_MANIFEST, readEmbedderManifest, type EmbedderManifest } from './manifest';
export { loadQueryEmbedder, type QueryEmbedder } from './query';
export { runEmbeddings, type EmbeddingsProgress, type EmbeddingsSummary, type RunEmbeddingsOptions } from './run';
export { EmbeddingCancelledError, runEmbeddingsInWorker } from './worker';
