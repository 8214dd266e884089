export { buildIndex, DEFAULT_ANN_TYPE, DEFAULT_FLAT_THRESHOLD, type AnnType, type BuildIndexOptions, type BuildStage } from './build';
export {
  LocalIndex,
  ANN_EXACT_SUBSET_MAX,
  DEFAULT_EXACT_SUBSET_MAX,
  defaultExactSubsetMax,
  type CropPatch,
  type ExpectedEmbedding,
  type IndexSearchOptions,
} from './local-index';
export type { Neighbour, IndexType } from './faiss';
export type { IndexConfig, SelfCheck } from './store';
