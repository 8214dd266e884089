import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { countFlops } from './graph-flops';
import { tinyImageTower } from './tiny-clip';

describe('countFlops', () => {
  it('counts Conv and MatMul multiply-adds of the tiny CLIP image tower by hand', async () => {
    // Conv 12×3×8×8, stride 8 on 32×32 → 12×4×4 outputs × 192 MACs; MatMul 12 → 16.
    const feeds = { pixel_values: new ort.Tensor('float32', new Float32Array(2 * 3 * 32 * 32), [2, 3, 32, 32]) };
    const { total, byOp } = await countFlops(tinyImageTower(32, 16), feeds);
    expect(byOp).toEqual({ Conv: 2 * 2 * 12 * 16 * 192, MatMul: 2 * 2 * 16 * 12 });
    expect(total).toBe(2 * (73_728 + 384));
  });
});
