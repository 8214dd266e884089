export { runCrops, type RunCropsOptions, type CropsSummary, type CropsProgress } from './run';
export { DEFAULT_CROP_CONFIG, resolveCropConfig, type CropConfig, type CropConfigInput, type CleanWindowsConfig } from './config';
export { clusterDefects, cropRegionForCluster, unionBox, type Size } from './geometry';
export { gridWindows, carRatio, type GridWindow, type CarRatio } from './grid';
export { readCropsMetadata, type CropsMetadata, type PhotoCropEntry, type PhotoCropStatus } from './metadata';
export { CROP_ORIGINS, cropOrigin, type CropRecord, type CropDefect, type CropOrigin } from './crop-record';
export { chooseCleanWindows, cleanWindowArea, type CleanWindow } from './clean-windows';
export { polygonRectDistance } from './polygon-clearance';
