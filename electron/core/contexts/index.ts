export { describeCrop, damageCounts, type CropContext, type TokenBudget, type DamageCount } from './describe';
export { PART_NAMES, UNKNOWN_ZONE_PARTS, cropCentre, partSlot, specificPart, type PhotoSize } from './parts';
export { spatialPattern, boxGap, CLUSTER_MAX_GAP_RATIO } from './pattern';
export {
  loadOverrides,
  setContextOverride,
  clearContextOverride,
  type ContextOverride,
  type ContextOverrides,
} from './overrides';
export { runContexts, type RunContextsOptions, type ContextsResult, type ContextsProgress, type ContextsFile } from './run';
