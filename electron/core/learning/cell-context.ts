import type { CellGrid } from './feature-maps';

/**
 * Each cell's features followed by the mean of its (2r+1)² neighbourhood (clipped at the border), so a head sees a
 * scratch together with the panel around it. Radius 0 returns the cells unchanged.
 */
export function withNeighbourhood(grid: CellGrid, radius: number): { data: Float32Array; dim: number } {
  if (radius === 0) return { data: grid.data, dim: grid.dim };
  const { cols, rows, dim, data } = grid;
  const out = new Float32Array(cols * rows * dim * 2);
  const sum = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const cell = r * cols + q;
      out.set(data.subarray(cell * dim, (cell + 1) * dim), cell * 2 * dim);
      sum.fill(0);
      let count = 0;
      for (let rr = Math.max(0, r - radius); rr <= Math.min(rows - 1, r + radius); rr++) {
        for (let qq = Math.max(0, q - radius); qq <= Math.min(cols - 1, q + radius); qq++) {
          const at = (rr * cols + qq) * dim;
          for (let j = 0; j < dim; j++) sum[j] = sum[j]! + data[at + j]!;
          count++;
        }
      }
      const base = cell * 2 * dim + dim;
      for (let j = 0; j < dim; j++) out[base + j] = sum[j]! / count;
    }
  }
  return { data: out, dim: dim * 2 };
}
