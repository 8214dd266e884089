import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { REPO_ROOT } from '../models/paths';
import { writeFileAtomic } from '../workspace/atomic-write';

const { onnx } = onnxProto;
type NodeProto = ReturnType<typeof onnx.NodeProto.create>;

export interface DeriveRecipe {
  source: string;
  tensors: string[];
  pooling: ('avg' | 'max')[];
}

export const FEATURE_OUTPUT = 'features';

/** Where derived towers are cached: outside git, rebuilt from the source network whenever it is missing. */
export const MODEL_CACHE_DIR = join(REPO_ROOT, '.cache', 'models');

/**
 * Keeps only the nodes of a pretrained network that compute the given tensors, then lets `outputs` append nodes
 * and name the graph's outputs. Batch and spatial size become symbolic: crops are embedded in batches, at the
 * size the manifest asks for (a fully convolutional backbone takes any multiple of its largest stride).
 */
function pruneToTensors(
  source: Uint8Array,
  tensors: readonly string[],
  outputs: (tensors: readonly string[]) => { nodes: NodeProto[]; names: string[] },
): Uint8Array {
  const model = onnx.ModelProto.decode(source);
  const graph = model.graph!;
  const producers = new Map<string, number>();
  graph.node!.forEach((node, index) => node.output!.forEach((output) => producers.set(output, index)));
  for (const tensor of tensors) {
    if (!producers.has(tensor)) throw new Error(`the source network has no tensor named '${tensor}'`);
  }

  const keep = new Set<number>();
  const pending = [...tensors];
  while (pending.length > 0) {
    const index = producers.get(pending.pop()!);
    if (index === undefined || keep.has(index)) continue;
    keep.add(index);
    pending.push(...graph.node![index]!.input!.filter(Boolean));
  }
  const appended = outputs(tensors);
  const nodes = [...graph.node!.filter((_, index) => keep.has(index)), ...appended.nodes];

  const used = new Set(nodes.flatMap((node) => node.input ?? []));
  graph.node = nodes;
  graph.initializer = graph.initializer!.filter((tensor) => used.has(tensor.name!));
  graph.valueInfo = [];
  for (const input of graph.input!) {
    const dims = input.type?.tensorType?.shape?.dim;
    if (dims?.length === 4) {
      for (const [axis, name] of [[0, 'batch'], [2, 'height'], [3, 'width']] as const) {
        dims[axis] = onnx.TensorShapeProto.Dimension.create({ dimParam: name });
      }
    }
  }
  graph.input = graph.input!.filter((input) => used.has(input.name!));
  graph.output = appended.names.map((name) => onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.FLOAT }) }),
  }));
  return onnx.ModelProto.encode(model).finish();
}

const axisOne = () => [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 })];

/**
 * Turns a pretrained network into an image encoder: keeps only the nodes that compute the chosen intermediate
 * tensors, pools each one globally (average and/or max) and concatenates the pooled vectors into one output,
 * N × Σ channels.
 */
export function deriveFeatureModel(source: Uint8Array, recipe: DeriveRecipe): Uint8Array {
  return pruneToTensors(source, recipe.tensors, (tensors) => {
    const nodes: NodeProto[] = [];
    const pooled: string[] = [];
    for (const tensor of tensors) {
      for (const pooling of recipe.pooling) {
        const name = `${tensor}_${pooling}pool`;
        nodes.push(onnx.NodeProto.create({ opType: pooling === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', input: [tensor], output: [name], name }));
        nodes.push(onnx.NodeProto.create({ opType: 'Flatten', input: [name], output: [`${name}_flat`], name: `${name}_flat`, attribute: axisOne() }));
        pooled.push(`${name}_flat`);
      }
    }
    nodes.push(onnx.NodeProto.create({ opType: 'Concat', input: pooled, output: [FEATURE_OUTPUT], name: 'features_concat', attribute: axisOne() }));
    return { nodes, names: [FEATURE_OUTPUT] };
  });
}

/** The same pruned network with the chosen tensors themselves as outputs (N × C × H/s × W/s each): feature maps. */
export function deriveFeatureMapModel(source: Uint8Array, tensors: readonly string[]): Uint8Array {
  return pruneToTensors(source, tensors, (kept) => ({ nodes: [], names: [...kept] }));
}

async function cachedDerivation(name: string, sourcePath: string, recipe: object, derive: (source: Uint8Array) => Uint8Array, cacheDir: string): Promise<string> {
  const source = await readFile(sourcePath);
  const key = createHash('sha256').update(source).update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
  const path = join(cacheDir, `${name}-${key}.onnx`);
  if (!existsSync(path)) await writeFileAtomic(path, derive(source));
  return path;
}

/** Path of the derived tower for a source file and recipe, building and caching it when missing. */
export function derivedTowerPath(id: string, sourcePath: string, recipe: DeriveRecipe, cacheDir = MODEL_CACHE_DIR): Promise<string> {
  const key = { tensors: recipe.tensors, pooling: recipe.pooling };
  return cachedDerivation(id, sourcePath, key, (source) => deriveFeatureModel(source, recipe), cacheDir);
}

/** Path of the feature-map network (the chosen tensors unpooled), building and caching it when missing. */
export function derivedFeatureMapPath(id: string, sourcePath: string, tensors: readonly string[], cacheDir = MODEL_CACHE_DIR): Promise<string> {
  return cachedDerivation(`${id}-maps`, sourcePath, { tensors, maps: true }, (source) => deriveFeatureMapModel(source, tensors), cacheDir);
}
