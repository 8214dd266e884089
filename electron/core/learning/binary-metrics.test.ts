import { describe, expect, it } from 'vitest';
import { auroc, balancedAccuracy, brier, pairedAuroc, percentile, reliability } from './binary-metrics';

describe('binary metrics', () => {
  it('AUROC: perfect, reversed, ties and a worked example', () => {
    expect(auroc([0.9, 0.8], [0.1, 0.2])).toBe(1);
    expect(auroc([0.1], [0.9])).toBe(0);
    expect(auroc([0.5, 0.5], [0.5])).toBe(0.5);
    // Pairs: (0.8 > 0.3) (0.8 > 0.6) (0.4 > 0.3) (0.4 < 0.6) → 3/4.
    expect(auroc([0.8, 0.4], [0.3, 0.6])).toBe(0.75);
    expect(auroc([], [0.1])).toBeNull();
  });

  it('paired AUROC compares windows within a photo only, so a per-photo offset cannot help', () => {
    // Photo A scores everything high, photo B everything low; within each photo the damage ranks below the clean.
    const groups = [
      { positives: [0.91], negatives: [0.95] },
      { positives: [0.11], negatives: [0.15] },
    ];
    expect(pairedAuroc(groups).auroc).toBe(0);
    // Pooled, A's damaged window beats B's clean one: the pooled AUROC is better than the paired one.
    expect(auroc([0.91, 0.11], [0.95, 0.15])).toBe(0.25);
    expect(pairedAuroc([...groups, { positives: [0.5], negatives: [] }])).toEqual({ auroc: 0, groups: 2, pairs: 2 });
  });

  it('Brier score, reliability bins, balanced accuracy, percentile', () => {
    expect(brier([1, 0, 0.5], [true, false, true])).toBeCloseTo(0.25 / 3);
    const bins = reliability([0.05, 0.05, 0.95, 0.95], [false, true, true, true], 10);
    expect(bins[0]).toMatchObject({ count: 2, observed: 0.5 });
    expect(bins[9]).toMatchObject({ count: 2, observed: 1 });
    expect(bins[5]!.count).toBe(0);
    // Always "yes": recall 1 on positives, 0 on negatives.
    expect(balancedAccuracy([true, true, true, true], [true, true, true, false])).toBe(0.5);
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
  });
});
