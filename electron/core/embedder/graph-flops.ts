import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Ops whose multiply-adds dominate an encoder; the rest (activations, pooling, adds) are left out. */
const COUNTED = new Set(['Conv', 'MatMul', 'Gemm']);

/**
 * Multiply-add FLOPs (2 per MAC) of the Conv, MatMul and Gemm nodes of an ONNX model for one input. Output shapes
 * are measured, not inferred: the model is rerun with every counted node's output exposed, so any graph works.
 * Conv: 2 · |output| · (Cin / group) · kh · kw. MatMul/Gemm with a weight initializer [K, N]: 2 · |output| · K.
 */
export async function countFlops(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<{ total: number; byOp: Record<string, number> }> {
  const proto = onnx.ModelProto.decode(model);
  const graph = proto.graph!;
  const weights = new Map(graph.initializer!.map((t) => [t.name!, (t.dims ?? []).map(Number)]));
  const counted = graph.node!.filter((node) => COUNTED.has(node.opType!));
  const existing = new Set(graph.output!.map((o) => o.name!));
  for (const node of counted) {
    if (!existing.has(node.output![0]!)) graph.output!.push(onnx.ValueInfoProto.create({ name: node.output![0]! }));
  }
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(proto).finish());
  try {
    const result = await session.run(feeds);
    const byOp: Record<string, number> = {};
    for (const node of counted) {
      const out = result[node.output![0]!]!.dims.reduce((a, b) => a * b, 1);
      const w = weights.get(node.input![1]!);
      if (!w) throw new Error(`${node.opType} node ${node.name}: its weight is not an initializer, cannot count its FLOPs`);
      let flops: number;
      if (node.opType === 'Conv') {
        // ONNX's Conv weight is [Cout, Cin / group, kh, kw]: grouped and depthwise convs need no special case.
        flops = 2 * out * w.slice(1).reduce((a, b) => a * b, 1);
      } else {
        const transB = node.opType === 'Gemm' && Number(node.attribute?.find((a) => a.name === 'transB')?.i ?? 0) === 1;
        flops = 2 * out * (transB ? w[1]! : w[0]!);
      }
      byOp[node.opType!] = (byOp[node.opType!] ?? 0) + flops;
    }
    return { total: Object.values(byOp).reduce((a, b) => a + b, 0), byOp };
  } finally {
    await session.release();
  }
}
