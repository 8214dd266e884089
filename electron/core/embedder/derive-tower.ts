import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { REPO_ROOT } from '../models/paths';
import { writeFileAtomic } from '../workspace/atomic-write';

const { onnx } = onnxProto;

export interface DeriveRecipe {
  source: string;
  tensors: string[];
  pooling: ('avg' | 'max')[];
}

export const FEATURE_OUTPUT = 'features';

/** Where derived towers are cached: outside git, rebuilt from the source network whenever it is missing. */
export const MODEL_CACHE_DIR = join(REPO_ROOT, '.cache', 'models');

/**
 * Turns a pretrained network into an image encoder: keeps only the nodes that compute the chosen intermediate
 * tensors, pools each one globally (average and/or max) and concatenates the pooled vectors into one output,
 * N × Σ channels.
 */
export function deriveFeatureModel(source: Uint8Array, recipe: DeriveRecipe): Uint8Array {
  const model = onnx.ModelProto.decode(source);
  const graph = model.graph!;
  const producers = new Map<string, number>();
  graph.node!.forEach((node, index) => node.output!.forEach((output) => producers.set(output, index)));
  for (const tensor of recipe.tensors) {
    if (!producers.has(tensor)) throw new Error(`the source network has no tensor named '${tensor}'`);
  }

  const keep = new Set<number>();
  const pending = [...recipe.tensors];
  while (pending.length > 0) {
    const index = producers.get(pending.pop()!);
    if (index === undefined || keep.has(index)) continue;
    keep.add(index);
    pending.push(...graph.node![index]!.input!.filter(Boolean));
  }
  const nodes = graph.node!.filter((_, index) => keep.has(index));

  const pooled: string[] = [];
  for (const tensor of recipe.tensors) {
    for (const pooling of recipe.pooling) {
      const name = `${tensor}_${pooling}pool`;
      nodes.push(onnx.NodeProto.create({ opType: pooling === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', input: [tensor], output: [name], name }));
      nodes.push(onnx.NodeProto.create({
        opType: 'Flatten', input: [name], output: [`${name}_flat`], name: `${name}_flat`,
        attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 })],
      }));
      pooled.push(`${name}_flat`);
    }
  }
  nodes.push(onnx.NodeProto.create({
    opType: 'Concat', input: pooled, output: [FEATURE_OUTPUT], name: 'features_concat',
    attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 })],
  }));

  const used = new Set(nodes.flatMap((node) => node.input ?? []));
  graph.node = nodes;
  graph.initializer = graph.initializer!.filter((tensor) => used.has(tensor.name!));
  graph.valueInfo = [];
  // Batch and spatial size become symbolic: crops are embedded in batches, at the size the manifest asks for
  // (a fully convolutional backbone takes any multiple of its largest stride).
  for (const input of graph.input!) {
    const dims = input.type?.tensorType?.shape?.dim;
    if (dims?.length === 4) {
      for (const [axis, name] of [[0, 'batch'], [2, 'height'], [3, 'width']] as const) {
        dims[axis] = onnx.TensorShapeProto.Dimension.create({ dimParam: name });
      }
    }
  }
  graph.input = graph.input!.filter((input) => used.has(input.name!));
  graph.output = [onnx.ValueInfoProto.create({
    name: FEATURE_OUTPUT,
    type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.FLOAT }) }),
  })];
  return onnx.ModelProto.encode(model).finish();
}

/** Path of the derived tower for a source file and recipe, building and caching it when missing. */
export async function derivedTowerPath(id: string, sourcePath: string, recipe: DeriveRecipe, cacheDir = MODEL_CACHE_DIR): Promise<string> {
  const source = await readFile(sourcePath);
  const key = createHash('sha256').update(source).update(JSON.stringify({ tensors: recipe.tensors, pooling: recipe.pooling })).digest('hex').slice(0, 16);
  const path = join(cacheDir, `${id}-${key}.onnx`);
  if (!existsSync(path)) await writeFileAtomic(path, deriveFeatureModel(source, recipe));
  return path;
}
