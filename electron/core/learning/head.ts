import { seededRandom } from '../fixture/random';

/**
 * A small classifier over feature vectors: standardisation, an optional ReLU hidden layer, then softmax over
 * `classes`. Plain arrays so it serialises to JSON and runs in TypeScript without any runtime.
 */
export interface HeadWeights {
  classes: string[];
  inputDim: number;
  hidden: number;
  mean: number[];
  std: number[];
  /** hidden × inputDim, row-major (absent when hidden is 0). */
  w1: number[];
  b1: number[];
  /** classes × (hidden || inputDim), row-major. */
  w2: number[];
  b2: number[];
}

export interface TrainingSet {
  /** n × dim, row-major. */
  x: Float32Array;
  /** Class index per row. */
  y: Int32Array;
  /** Per-row weight (e.g. class balance); default 1. */
  weight?: Float32Array;
  dim: number;
}

export interface TrainOptions {
  classes: string[];
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on the weights (not the biases). */
  l2?: number;
  batchSize?: number;
  seed?: number;
}

function columnStats(set: TrainingSet): { mean: Float64Array; std: Float64Array } {
  const n = set.y.length;
  const mean = new Float64Array(set.dim);
  const sq = new Float64Array(set.dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < set.dim; j++) {
      const v = set.x[i * set.dim + j]!;
      mean[j] = mean[j]! + v;
      sq[j] = sq[j]! + v * v;
    }
  }
  const std = new Float64Array(set.dim);
  for (let j = 0; j < set.dim; j++) {
    mean[j] = mean[j]! / n;
    // A constant feature gets std 1: it then adds a constant the bias absorbs, instead of dividing by zero.
    std[j] = Math.sqrt(Math.max(0, sq[j]! / n - mean[j]! * mean[j]!)) || 1;
  }
  return { mean, std };
}

/** Forward pass of one standardised row; fills `hiddenOut` (when there is a hidden layer) and returns the logits. */
function forward(head: { hidden: number; inputDim: number; w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array }, x: Float64Array, hiddenOut: Float64Array, logits: Float64Array): void {
  const k = logits.length;
  let input = x;
  let width = head.inputDim;
  if (head.hidden > 0) {
    for (let h = 0; h < head.hidden; h++) {
      let sum = head.b1[h]!;
      const row = h * head.inputDim;
      for (let j = 0; j < head.inputDim; j++) sum += head.w1[row + j]! * x[j]!;
      hiddenOut[h] = sum > 0 ? sum : 0;
    }
    input = hiddenOut;
    width = head.hidden;
  }
  for (let c = 0; c < k; c++) {
    let sum = head.b2[c]!;
    const row = c * width;
    for (let j = 0; j < width; j++) sum += head.w2[row + j]! * input[j]!;
    logits[c] = sum;
  }
}

function softmaxInPlace(values: Float64Array): void {
  let max = -Infinity;
  for (const v of values) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] = Math.exp(values[i]! - max);
    sum += values[i]!;
  }
  for (let i = 0; i < values.length; i++) values[i] = values[i]! / sum;
}

/** Mini-batch Adam on the weighted cross-entropy. Deterministic for a seed (one thread, seeded shuffles and init). */
export function trainHead(set: TrainingSet, options: TrainOptions): HeadWeights {
  const { classes, hidden = 0, epochs = 20, learningRate = 1e-3, l2 = 1e-4, batchSize = 256, seed = 1 } = options;
  const n = set.y.length;
  if (n === 0) throw new Error('no training rows');
  const d = set.dim;
  const k = classes.length;
  const random = seededRandom(seed);
  const { mean, std } = columnStats(set);
  const width = hidden > 0 ? hidden : d;
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const params = {
    hidden,
    inputDim: d,
    w1: Float64Array.from({ length: hidden * d }, () => gaussian() * Math.sqrt(2 / d)),
    b1: new Float64Array(hidden),
    w2: Float64Array.from({ length: k * width }, () => gaussian() * Math.sqrt(1 / width)),
    b2: new Float64Array(k),
  };
  const tensors = [params.w1, params.b1, params.w2, params.b2];
  const decays = [true, false, true, false];
  const grads = tensors.map((t) => new Float64Array(t.length));
  const [gradW1, gradB1, gradW2, gradB2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
  const m1 = tensors.map((t) => new Float64Array(t.length));
  const m2 = tensors.map((t) => new Float64Array(t.length));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const x = new Float64Array(d);
  const h = new Float64Array(hidden);
  const p = new Float64Array(k);
  const dh = new Float64Array(hidden);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      grads.forEach((g) => g.fill(0));
      let batchWeight = 0;
      for (let b = start; b < end; b++) {
        const row = order[b]!;
        const w = set.weight ? set.weight[row]! : 1;
        batchWeight += w;
        for (let j = 0; j < d; j++) x[j] = (set.x[row * d + j]! - mean[j]!) / std[j]!;
        forward(params, x, h, p);
        softmaxInPlace(p);
        const label = set.y[row]!;
        p[label] = p[label]! - 1;
        const input = hidden > 0 ? h : x;
        dh.fill(0);
        for (let c = 0; c < k; c++) {
          const g = p[c]! * w;
          gradB2[c] = gradB2[c]! + g;
          const r = c * width;
          for (let j = 0; j < width; j++) {
            gradW2[r + j] = gradW2[r + j]! + g * input[j]!;
            if (hidden > 0) dh[j] = dh[j]! + g * params.w2[r + j]!;
          }
        }
        for (let u = 0; u < hidden; u++) {
          if (h[u]! <= 0) continue;
          const g = dh[u]!;
          gradB1[u] = gradB1[u]! + g;
          const r = u * d;
          for (let j = 0; j < d; j++) gradW1[r + j] = gradW1[r + j]! + g * x[j]!;
        }
      }
      step++;
      const correction1 = 1 - 0.9 ** step;
      const correction2 = 1 - 0.999 ** step;
      tensors.forEach((t, ti) => {
        const g = grads[ti]!;
        for (let j = 0; j < t.length; j++) {
          const grad = g[j]! / batchWeight + (decays[ti] ? l2 * t[j]! : 0);
          m1[ti]![j] = 0.9 * m1[ti]![j]! + 0.1 * grad;
          m2[ti]![j] = 0.999 * m2[ti]![j]! + 0.001 * grad * grad;
          t[j] = t[j]! - ((learningRate * (m1[ti]![j]! / correction1)) / (Math.sqrt(m2[ti]![j]! / correction2) + 1e-8));
        }
      });
    }
  }
  const round = (v: Float64Array) => Array.from(v, (value) => Math.fround(value));
  return { classes, inputDim: d, hidden, mean: round(mean), std: round(std), w1: round(params.w1), b1: round(params.b1), w2: round(params.w2), b2: round(params.b2) };
}

/** Class probabilities for n rows (n × classes, row-major). */
export function predictHead(head: HeadWeights, rows: Float32Array, n = rows.length / head.inputDim): Float32Array {
  const d = head.inputDim;
  const k = head.classes.length;
  const params = { hidden: head.hidden, inputDim: d, w1: Float64Array.from(head.w1), b1: Float64Array.from(head.b1), w2: Float64Array.from(head.w2), b2: Float64Array.from(head.b2) };
  const out = new Float32Array(n * k);
  const x = new Float64Array(d);
  const h = new Float64Array(head.hidden);
  const p = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[j] = (rows[i * d + j]! - head.mean[j]!) / head.std[j]!;
    forward(params, x, h, p);
    softmaxInPlace(p);
    out.set(p, i * k);
  }
  return out;
}
