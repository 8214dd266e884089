/** Metrics of a score or probability against yes/no outcomes, with the trivial baselines they are read beside. */

/** Probability that a random positive outscores a random negative (ties count half); null without both classes. */
export function auroc(positives: readonly number[], negatives: readonly number[]): number | null {
  if (positives.length === 0 || negatives.length === 0) return null;
  const all = [...positives.map((s) => ({ s, p: true })), ...negatives.map((s) => ({ s, p: false }))].sort((a, b) => a.s - b.s);
  // Rank sum (Mann-Whitney U) with average ranks for ties: O(n log n).
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let t = i; t < j; t++) if (all[t]!.p) rankSum += averageRank;
    i = j;
  }
  const np = positives.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * negatives.length);
}

/**
 * AUROC over pairs taken within the same group only (windows of one photo): neither the photo's source nor its
 * framing can separate a pair. Groups without both classes are skipped; each group weighs by its pair count.
 */
export function pairedAuroc(groups: readonly { positives: number[]; negatives: number[] }[]): { auroc: number | null; groups: number; pairs: number } {
  let weighted = 0;
  let pairs = 0;
  let used = 0;
  for (const g of groups) {
    const value = auroc(g.positives, g.negatives);
    if (value === null) continue;
    const count = g.positives.length * g.negatives.length;
    weighted += value * count;
    pairs += count;
    used++;
  }
  return { auroc: pairs > 0 ? weighted / pairs : null, groups: used, pairs };
}

export function brier(probabilities: readonly number[], outcomes: readonly boolean[]): number | null {
  if (probabilities.length === 0) return null;
  return probabilities.reduce((sum, p, i) => sum + (p - (outcomes[i] ? 1 : 0)) ** 2, 0) / probabilities.length;
}

export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  meanPredicted: number | null;
  observed: number | null;
}

/** Equal-width bins of the stated probability with the share of positives observed in each. */
export function reliability(probabilities: readonly number[], outcomes: readonly boolean[], bins = 10): ReliabilityBin[] {
  return Array.from({ length: bins }, (_, b) => {
    const from = b / bins;
    const to = (b + 1) / bins;
    const inside = probabilities.map((p, i) => ({ p, o: outcomes[i]! })).filter(({ p }) => p >= from && (b === bins - 1 ? p <= to : p < to));
    const mean = (values: number[]) => (values.length ? values.reduce((a, c) => a + c, 0) / values.length : null);
    return { from, to, count: inside.length, meanPredicted: mean(inside.map((x) => x.p)), observed: mean(inside.map((x) => (x.o ? 1 : 0))) };
  });
}

/** Mean of the recall of each class; null when a class is absent. */
export function balancedAccuracy(predicted: readonly boolean[], actual: readonly boolean[]): number | null {
  const recall = (cls: boolean) => {
    const idx = actual.flatMap((a, i) => (a === cls ? [i] : []));
    return idx.length ? idx.filter((i) => predicted[i] === cls).length / idx.length : null;
  };
  const pos = recall(true);
  const neg = recall(false);
  return pos === null || neg === null ? null : (pos + neg) / 2;
}

export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
