import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { sharedDir } from '../models/paths';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

/** CLIP's vocabulary size: the text tower's embedding table must cover every id the real tokenizer emits. */
const VOCAB = 49_408;

/**
 * Deterministic weights in [-1, 1): a fixed LCG, so a regenerated model is byte-identical and test
 * expectations do not drift.
 */
function weights(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

const floatTensor = (name: string, dims: number[], data: Float32Array) =>
  onnx.TensorProto.create({ name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(0)) });
const int64Tensor = (name: string, values: number[]) =>
  onnx.TensorProto.create({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values });
const intAttr = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const intsAttr = (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
const node = (opType: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []) =>
  onnx.NodeProto.create({ opType, input, output, name: output[0], attribute });
const valueInfo = (name: string, elemType: number, dims: (number | string)[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create(typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });

function model(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 8, producerName: 'carlens-tiny-clip', opsetImport: [{ domain: '', version: 13 }], graph }),
  ).finish();
}

/**
 * Image tower shaped like a CLIP vision export: pixel_values N×3×S×S → patchify Conv (stride = patch) → ReLU →
 * GlobalAveragePool → MatMul → image_embeds N×dim. Batch is symbolic, as in a real export.
 */
export function tinyImageTower(size: number, dim: number, patch = 8, width = 12): Uint8Array {
  return model(
    onnx.GraphProto.create({
      name: 'tiny_clip_vision',
      node: [
        node('Conv', ['pixel_values', 'patch_w', 'patch_b'], ['patches'], [intsAttr('kernel_shape', [patch, patch]), intsAttr('strides', [patch, patch])]),
        node('Relu', ['patches'], ['patches_relu']),
        node('GlobalAveragePool', ['patches_relu'], ['pooled']),
        node('Flatten', ['pooled'], ['pooled_flat'], [intAttr('axis', 1)]),
        node('MatMul', ['pooled_flat', 'proj'], ['image_embeds']),
      ],
      initializer: [
        floatTensor('patch_w', [width, 3, patch, patch], weights(width * 3 * patch * patch, 1)),
        floatTensor('patch_b', [width], weights(width, 2)),
        floatTensor('proj', [width, dim], weights(width * dim, 3)),
      ],
      input: [valueInfo('pixel_values', DataType.FLOAT, ['batch', 3, size, size])],
      output: [valueInfo('image_embeds', DataType.FLOAT, ['batch', dim])],
    }),
  );
}

/**
 * Text tower shaped like a CLIP text export: input_ids + attention_mask N×L (int64) → Gather from an embedding
 * table → mean over the tokens the mask keeps → MatMul → text_embeds N×dim.
 */
export function tinyTextTower(contextLength: number, dim: number, width = 12): Uint8Array {
  return model(
    onnx.GraphProto.create({
      name: 'tiny_clip_text',
      node: [
        node('Gather', ['token_table', 'input_ids'], ['tokens']),
        node('Cast', ['attention_mask'], ['mask_f'], [intAttr('to', DataType.FLOAT)]),
        node('Unsqueeze', ['mask_f', 'axis_2'], ['mask_3d']),
        node('Mul', ['tokens', 'mask_3d'], ['masked']),
        node('ReduceSum', ['masked', 'axis_1'], ['summed'], [intAttr('keepdims', 0)]),
        node('ReduceSum', ['mask_3d', 'axis_1'], ['count'], [intAttr('keepdims', 0)]),
        node('Div', ['summed', 'count'], ['mean']),
        node('MatMul', ['mean', 'proj'], ['text_embeds']),
      ],
      initializer: [
        floatTensor('token_table', [VOCAB, width], weights(VOCAB * width, 4)),
        floatTensor('proj', [width, dim], weights(width * dim, 5)),
        int64Tensor('axis_1', [1]),
        int64Tensor('axis_2', [2]),
      ],
      input: [
        valueInfo('input_ids', DataType.INT64, ['batch', contextLength]),
        valueInfo('attention_mask', DataType.INT64, ['batch', contextLength]),
      ],
      output: [valueInfo('text_embeds', DataType.FLOAT, ['batch', dim])],
    }),
  );
}

export interface TinyClipOptions {
  size?: number;
  dim?: number;
}

/**
 * Writes a tiny CLIP-shaped model pair and its manifest into `dir` (tests and benches). Everything else, the
 * tokenizer included, is the real thing, so the whole loading and preprocessing path runs as it does for MetaCLIP.
 */
export async function writeTinyClip(dir: string, { size = 32, dim = 16 }: TinyClipOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'image.onnx'), tinyImageTower(size, dim));
  await writeFile(join(dir, 'text.onnx'), tinyTextTower(77, dim));
  const tokenizerDir = join(sharedDir(), 'models', 'clip-tokenizer');
  const manifest = {
    id: 'tiny-clip-test',
    kind: 'embedder',
    description: 'Generated CLIP-shaped towers with fixed weights, for tests; not a real model.',
    aligned: true,
    licence: 'test fixture',
    image: {
      file: 'image.onnx',
      input: 'pixel_values',
      output: 'image_embeds',
      width: size,
      height: size,
      resize: 'shortest_side_center_crop',
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: [0.48145466, 0.4578275, 0.40821073],
      std: [0.26862954, 0.26130258, 0.27577711],
      maxBatch: 8,
    },
    text: { kind: 'onnx', file: 'text.onnx', inputIds: 'input_ids', attentionMask: 'attention_mask', idsType: 'int64', output: 'text_embeds' },
    tokenizer: { vocab: join(tokenizerDir, 'vocab.json'), merges: join(tokenizerDir, 'merges.txt'), contextLength: 77 },
    imageDim: dim,
    fusion: { strategy: 'average', alpha: 0.5, beta: 0.5 },
  };
  const path = join(dir, 'manifest.json');
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}
