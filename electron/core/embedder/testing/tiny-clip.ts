import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { sharedDir } from '../../models/paths';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Deterministic weights: no randomness, so every run of the tests sees the same model. */
function weights(count: number, phase: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.sin(i * 12.9898 + phase) * 0.5);
}

function tensor(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: values });
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
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
}

function node(opType: string, input: string[], output: string[], attributes: Record<string, number | number[]> = {}) {
  const attribute = Object.entries(attributes).map(([name, value]) =>
    Array.isArray(value)
      ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: value })
      : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value }),
  );
  return onnx.NodeProto.create({ opType, input, output, name: `${opType}_${output[0]}`, attribute });
}

function model(graph: ReturnType<typeof onnx.GraphProto.create>): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 8, opsetImport: [onnx.OperatorSetIdProto.create({ version: 13 })], producerName: 'carlens-tests', graph }),
  ).finish();
}

export const TINY_CLIP = { size: 32, dim: 16, vocab: 49_408, context: 77 } as const;

/**
 * A CLIP-shaped dual encoder small enough to build in a test: image tower patchify-conv → average pool →
 * projection, text tower token embedding → mean → projection, both to 16 dimensions, batch dimension dynamic.
 * Written with its manifest into `dir`; returns the manifest path.
 */
export async function writeTinyClip(dir: string): Promise<string> {
  const { size, dim, vocab, context } = TINY_CLIP;
  await mkdir(dir, { recursive: true });
  const image = onnx.GraphProto.create({
    name: 'tiny_clip_image',
    input: [valueInfo('pixel_values', FLOAT, ['batch', 3, size, size])],
    output: [valueInfo('image_embeds', FLOAT, ['batch', dim])],
    initializer: [tensor('patch_w', [dim, 3, 8, 8], weights(dim * 3 * 64, 1)), tensor('proj_w', [dim, dim], weights(dim * dim, 2))],
    node: [
      node('Conv', ['pixel_values', 'patch_w'], ['patches'], { strides: [8, 8], kernel_shape: [8, 8] }),
      node('Relu', ['patches'], ['patches_relu']),
      node('GlobalAveragePool', ['patches_relu'], ['pooled']),
      node('Flatten', ['pooled'], ['flat'], { axis: 1 }),
      node('MatMul', ['flat', 'proj_w'], ['image_embeds']),
    ],
  });
  const text = onnx.GraphProto.create({
    name: 'tiny_clip_text',
    input: [valueInfo('input_ids', INT64, ['batch', context])],
    output: [valueInfo('text_embeds', FLOAT, ['batch', dim])],
    initializer: [tensor('token_table', [vocab, dim], weights(vocab * dim, 3)), tensor('text_proj_w', [dim, dim], weights(dim * dim, 4))],
    node: [
      node('Gather', ['token_table', 'input_ids'], ['tokens'], { axis: 0 }),
      node('ReduceMean', ['tokens'], ['mean'], { axes: [1], keepdims: 0 }),
      node('MatMul', ['mean', 'text_proj_w'], ['text_embeds']),
    ],
  });
  await writeFile(join(dir, 'image.onnx'), model(image));
  await writeFile(join(dir, 'text.onnx'), model(text));
  const tokenizer = join(sharedDir(), 'models', 'clip-tokenizer');
  const manifest = {
    id: 'tiny-clip-test',
    kind: 'embedder',
    aligned: true,
    licence: 'test model',
    image: {
      file: 'image.onnx', input: 'pixel_values', output: 'image_embeds', width: size, height: size,
      resize: 'shortest_side_center_crop', channelOrder: 'RGB', scale: 1 / 255,
      mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711], maxBatch: 4,
    },
    text: { kind: 'onnx', file: 'text.onnx', inputIds: 'input_ids', idsType: 'int64', output: 'text_embeds' },
    tokenizer: { vocab: join(tokenizer, 'vocab.json'), merges: join(tokenizer, 'merges.txt'), contextLength: context },
    imageDim: dim,
    fusion: { strategy: 'average', alpha: 0.5, beta: 0.5 },
  };
  const path = join(dir, 'manifest.json');
  await writeFile(path, JSON.stringify(manifest, null, 2));
  return path;
}
