export { buildIndex, DEFAULT_FLAT_THRESHOLD, type BuildIndexOptions, type BuildStage } from './build';
export {
  LocalIndex,
  DEFAULT_EXACT_SUBSET_MAX,
  type CropPatch,
  type ExpectedEmbedding,
  type IndexSearchOptions,
} from './local-index';
export type { Neighbour, IndexType } from './faiss';
export type { IndexConfig, SelfCheck } from './store';
