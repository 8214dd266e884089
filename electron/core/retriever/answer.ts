import type { DamageType } from '../domain/damage-types';
import type { RetrievalResult } from './retriever';

export interface Vote<T> {
  value: T;
  /** Share of the evidence weight behind this value, 0..1. */
  confidence: number;
  /** Crops among the results that back it. */
  supporting: string[];
}

export interface InspectionAnswer {
  has_damage: Vote<boolean> | null;
  /** Every damage type seen among the results, most supported first. */
  damage_types: Vote<DamageType>[];
  zone: Vote<string> | null;
  evidence: number;
}

/**
 * An answer read off the retrieved neighbours: each result votes with its similarity score (negative
 * similarity is no evidence). Confidence is the share of the total weight, so it also drops when the
 * neighbours disagree.
 */
export function inspectionAnswer(results: readonly RetrievalResult[]): InspectionAnswer {
  const positive = results.map((r) => Math.max(0, r.score));
  // All scores ≤ 0: fall back to one vote each rather than answering nothing.
  const weights = positive.some((w) => w > 0) ? positive : results.map(() => 1);
  const total = weights.reduce((a, b) => a + b, 0);

  const tally = <T>(keysOf: (r: RetrievalResult) => T[]): Vote<T>[] => {
    const votes = new Map<T, { weight: number; supporting: string[] }>();
    results.forEach((r, i) => {
      for (const key of keysOf(r)) {
        const vote = votes.get(key) ?? { weight: 0, supporting: [] };
        vote.weight += weights[i]!;
        vote.supporting.push(r.crop_id);
        votes.set(key, vote);
      }
    });
    return [...votes.entries()]
      .map(([value, v]) => ({ value, confidence: total > 0 ? v.weight / total : 0, supporting: v.supporting }))
      .sort((a, b) => b.confidence - a.confidence);
  };

  return {
    has_damage: tally((r) => [r.has_damage])[0] ?? null,
    damage_types: tally((r) => r.damage_types),
    zone: tally((r) => (r.zone === null ? [] : [r.zone]))[0] ?? null,
    evidence: results.length,
  };
}
