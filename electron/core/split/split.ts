/**
 * A claim-grouped train / held-out split: every photo of a group (see claim-groups.ts) lands on one side, so a
 * held-out photo never meets a sibling shot of the same car in the training data.
 */
import { createHash } from 'node:crypto';
import { claimGroups, sourceOf, type PhotoName } from './claim-groups';

export { claimGroups, sourceOf, type PhotoName } from './claim-groups';

export type SplitSide = 'train' | 'heldout';

export interface SplitAssignment {
  photoId: string;
  group: string;
  side: SplitSide;
}

export interface SplitOptions {
  /** Share of groups (hence, on average, of photos) held out; 0 … 1, default {@link DEFAULT_HELD_OUT_FRACTION}. */
  heldOutFraction?: number;
}

export const DEFAULT_HELD_OUT_FRACTION = 0.3;

/**
 * A group's position in [0, 1): the first 48 bits of sha256(group key). A hash rather than a draw or a sort so a
 * group's side depends on its key alone: not on input order, not on which other photos are present (adding a
 * folder moves nobody), and raising the fraction only moves groups from train to held-out (the sets are nested).
 */
export function groupPosition(groupKey: string): number {
  const hex = createHash('sha256').update(groupKey).digest('hex').slice(0, 12);
  return Number.parseInt(hex, 16) / 2 ** 48;
}

export function sideOfGroup(groupKey: string, heldOutFraction = DEFAULT_HELD_OUT_FRACTION): SplitSide {
  return groupPosition(groupKey) < heldOutFraction ? 'heldout' : 'train';
}

/**
 * One assignment per photo, sorted by photo id, so the same photos give the same output (byte for byte once
 * serialised) whatever order they come in.
 */
export function splitPhotos(photos: readonly PhotoName[], options: SplitOptions = {}): SplitAssignment[] {
  const heldOutFraction = options.heldOutFraction ?? DEFAULT_HELD_OUT_FRACTION;
  if (!(heldOutFraction >= 0 && heldOutFraction <= 1)) {
    throw new Error(`heldOutFraction must be between 0 and 1, got ${heldOutFraction}`);
  }
  const groups = claimGroups(photos);
  return [...groups.entries()]
    .map(([photoId, group]) => ({ photoId, group, side: sideOfGroup(group, heldOutFraction) }))
    .sort((a, b) => (a.photoId < b.photoId ? -1 : a.photoId > b.photoId ? 1 : 0));
}

export interface SourceSplitSummary {
  source: string;
  photos: number;
  groups: number;
  train: number;
  heldout: number;
  /** Group size → number of groups of that size. */
  groupSizes: Record<number, number>;
}

/** Counts per source (the folder prefix of the photo ids), sources in name order: what a report prints. */
export function summarizeSplit(assignments: readonly SplitAssignment[]): SourceSplitSummary[] {
  type Tally = { photos: number; train: number; heldout: number; groupSize: Map<string, number> };
  const bySource = new Map<string, Tally>();
  for (const { photoId, group, side } of assignments) {
    const source = sourceOf(photoId);
    const entry = bySource.get(source) ?? { photos: 0, train: 0, heldout: 0, groupSize: new Map<string, number>() };
    entry.photos += 1;
    entry[side] += 1;
    entry.groupSize.set(group, (entry.groupSize.get(group) ?? 0) + 1);
    bySource.set(source, entry);
  }
  return [...bySource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([source, { photos, train, heldout, groupSize }]) => {
      const groupSizes: Record<number, number> = {};
      for (const size of groupSize.values()) groupSizes[size] = (groupSizes[size] ?? 0) + 1;
      return { source, photos, groups: groupSize.size, train, heldout, groupSizes };
    });
}
