export {
  loadEmbedder,
  MULTI_PATCH,
  type CropInput,
  type EmbeddedCrop,
  type Embedder,
  type ExecutionProvider,
  type ImageOptions,
  type LoadEmbedderOptions,
  type QueryInput,
  type Settled,
  type SettledCrop,
} from './embedder';
export { checkFusion, fuse, fusedDim, type Fusion, type FusionStrategy } from './fusion';
export { DEFAULT_EMBEDDER_MANIFEST, readEmbedderManifest, type EmbedderManifest } from './manifest';
export { loadQueryEmbedder, type QueryEmbedder } from './query';
export { runEmbeddings, TOWER_FILES, type EmbeddingsProgress, type EmbeddingsSummary, type RunEmbeddingsOptions } from './run';
export { EmbeddingCancelledError, runEmbeddingsInWorker } from './worker';
