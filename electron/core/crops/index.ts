export { runCrops, type RunCropsOptions, type CropsSummary, type CropsProgress } from './run';
export { DEFAULT_CROP_CONFIG, resolveCropConfig, type CropConfig } from './config';
export { clusterDefects, cropRegionForCluster, unionBox, type Size } from './geometry';
export { gridWindows, carRatio, type GridWindow, type CarRatio } from './grid';
export { readCropsMetadata, type CropsMetadata, type PhotoCropEntry, type PhotoCropStatus } from './metadata';
export type { CropRecord, CropDefect } from './crop-record';
