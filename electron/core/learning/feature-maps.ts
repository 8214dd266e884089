import * as ort from 'onnxruntime-node';
import { derivedFeatureMapPath } from '../embedder/derive-tower';
import { asRawImage, normalise, resizeForTower, type ImageInput, type RawImage } from '../embedder/preprocess';

/** How a backbone is run to give per-location features (from a damage-heads manifest). */
export interface BackboneSpec {
  /** ONNX network the feature maps are taken from. */
  sourcePath: string;
  input: string;
  /** Intermediate tensors and their strides in input pixels. */
  tensors: { name: string; stride: number }[];
  /** The photo is resized (stretched) so that its long side is this, each side a multiple of the largest stride. */
  longSide: number;
  channelOrder: 'RGB' | 'BGR';
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
}

/**
 * Per-location features of one photo: a grid of cells of `cellStride` input pixels, each with the channels of every
 * tensor at that place (a finer tensor averaged over the cell, a coarser one taken from the cell that covers it).
 */
export interface CellGrid {
  cols: number;
  rows: number;
  dim: number;
  /** Row-major cells × dim. */
  data: Float32Array;
  /** Size of the decoded (upright) photo the grid covers. */
  photoWidth: number;
  photoHeight: number;
}

export interface FeatureMapExtractor {
  readonly dim: number;
  readonly cellStride: number;
  cells(image: ImageInput | RawImage): Promise<CellGrid>;
  dispose(): Promise<void>;
}

function inputSize(width: number, height: number, spec: BackboneSpec): { width: number; height: number } {
  const multiple = Math.max(...spec.tensors.map((t) => t.stride));
  const scale = spec.longSide / Math.max(width, height);
  const round = (v: number) => Math.max(multiple, Math.round((v * scale) / multiple) * multiple);
  return { width: round(width), height: round(height) };
}

/** Resamples every map onto the cell grid and interleaves the channels: cell-major, so a cell's features are contiguous. */
function toCells(maps: { data: Float32Array; channels: number; stride: number }[], cols: number, rows: number, cellStride: number): Float32Array {
  const dim = maps.reduce((sum, m) => sum + m.channels, 0);
  const out = new Float32Array(cols * rows * dim);
  let offset = 0;
  for (const map of maps) {
    const mapCols = (cols * cellStride) / map.stride;
    const mapRows = (rows * cellStride) / map.stride;
    const plane = mapCols * mapRows;
    if (map.stride <= cellStride) {
      const block = cellStride / map.stride;
      const share = 1 / (block * block);
      for (let c = 0; c < map.channels; c++) {
        for (let r = 0; r < rows; r++) {
          for (let q = 0; q < cols; q++) {
            let sum = 0;
            for (let dy = 0; dy < block; dy++) {
              const row = (r * block + dy) * mapCols + q * block;
              for (let dx = 0; dx < block; dx++) sum += map.data[c * plane + row + dx]!;
            }
            out[(r * cols + q) * dim + offset + c] = sum * share;
          }
        }
      }
    } else {
      const ratio = map.stride / cellStride;
      for (let c = 0; c < map.channels; c++) {
        for (let r = 0; r < rows; r++) {
          const row = Math.min(mapRows - 1, Math.floor(r / ratio)) * mapCols;
          for (let q = 0; q < cols; q++) out[(r * cols + q) * dim + offset + c] = map.data[c * plane + row + Math.min(mapCols - 1, Math.floor(q / ratio))]!;
        }
      }
    }
    offset += map.channels;
  }
  return out;
}

export async function createFeatureMapExtractor(id: string, spec: BackboneSpec, cellStride: number, cacheDir?: string): Promise<FeatureMapExtractor> {
  const largest = Math.max(...spec.tensors.map((t) => t.stride));
  if (largest % cellStride !== 0 && cellStride % largest !== 0) throw new Error(`cell stride ${cellStride} does not divide the largest stride ${largest}`);
  const path = await derivedFeatureMapPath(id, spec.sourcePath, spec.tensors.map((t) => t.name), cacheDir);
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'] });
  let dim: number | null = null;
  return {
    get dim() {
      if (dim === null) throw new Error('the feature dimension is known after the first photo');
      return dim;
    },
    cellStride,
    async cells(image) {
      const raw = await asRawImage(image);
      const size = inputSize(raw.width, raw.height, spec);
      const layout = { ...spec, ...size };
      const input = new Float32Array(3 * size.width * size.height);
      normalise(await resizeForTower(raw, { ...size, resize: 'resize' }), layout, input);
      const result = await session.run({ [spec.input]: new ort.Tensor('float32', input, [1, 3, size.height, size.width]) });
      const maps = spec.tensors.map((t) => {
        const value = result[t.name];
        if (!value) throw new Error(`${spec.sourcePath}: no tensor '${t.name}' in the feature-map network's outputs`);
        return { data: value.data as Float32Array, channels: value.dims[1]!, stride: t.stride };
      });
      const cols = size.width / cellStride;
      const rows = size.height / cellStride;
      const data = toCells(maps, cols, rows, cellStride);
      dim = data.length / (cols * rows);
      return { cols, rows, dim, data, photoWidth: raw.width, photoHeight: raw.height };
    },
    async dispose() {
      await session.release();
    },
  };
}
