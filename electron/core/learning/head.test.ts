import { describe, expect, it } from 'vitest';
import { seededRandom } from '../fixture/random';
import { predictHead, trainHead, type TrainingSet } from './head';

/** Two Gaussian blobs in 6-d that differ only in the first two dimensions; the rest is noise. */
function blobs(n: number, seed: number): TrainingSet {
  const random = seededRandom(seed);
  const dim = 6;
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < dim; j++) x[i * dim + j] = (random() - 0.5) * 2 + (j < 2 ? (y[i] ? 1.5 : -1.5) : 0);
  }
  return { x, y, dim };
}

function accuracy(head: ReturnType<typeof trainHead>, set: TrainingSet): number {
  const p = predictHead(head, set.x);
  let correct = 0;
  for (let i = 0; i < set.y.length; i++) if ((p[i * 2 + 1]! > 0.5 ? 1 : 0) === set.y[i]) correct++;
  return correct / set.y.length;
}

describe('trainHead', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const set = blobs(400, 3);
    const options = { classes: ['a', 'b'], hidden: 4, epochs: 3, seed: 11 };
    const first = trainHead(set, options);
    const second = trainHead(set, options);
    expect(second).toEqual(first);
    expect(trainHead(set, { ...options, seed: 12 }).w1).not.toEqual(first.w1);
  });

  it('learns a separable problem, linear and with a hidden layer, and generalises to new rows', () => {
    const train = blobs(600, 1);
    const test = blobs(400, 2);
    for (const hidden of [0, 8]) {
      const head = trainHead(train, { classes: ['a', 'b'], hidden, epochs: 20, learningRate: 1e-2, seed: 1 });
      expect(accuracy(head, test)).toBeGreaterThan(0.95);
    }
  });

  it('gives a distribution per row and serialises to JSON unchanged', () => {
    const set = blobs(100, 4);
    const head = trainHead(set, { classes: ['a', 'b', 'c'], epochs: 2, seed: 5 });
    const p = predictHead(JSON.parse(JSON.stringify(head)), set.x);
    expect(p).toEqual(predictHead(head, set.x));
    for (let i = 0; i < 100; i++) expect(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]!).toBeCloseTo(1, 5);
  });

  it('weights rows: a heavily weighted class pulls the prediction towards it', () => {
    const set = blobs(200, 6);
    // Pure noise features: only the weights can move the decision.
    for (let i = 0; i < set.x.length; i++) set.x[i] = 0;
    const weight = Float32Array.from(set.y, (y) => (y === 1 ? 9 : 1));
    const head = trainHead({ ...set, weight }, { classes: ['a', 'b'], epochs: 30, learningRate: 5e-2, l2: 0, seed: 1 });
    expect(predictHead(head, new Float32Array(set.dim))[1]).toBeCloseTo(0.9, 1);
  });
});
