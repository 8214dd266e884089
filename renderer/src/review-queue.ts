import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import type { CropDto } from '../../electron/shared/ipc-contract';

/**
 * The review queue's state of a crop. Rejections are stored (the review journal); there is no stored "accepted":
 * a crop not rejected counts as accepted once it has been reviewed in this session (accepted with A, or left with
 * next / previous), and as unreviewed until then.
 */
export type ReviewState = 'unreviewed' | 'accepted' | 'rejected';
export type ReviewFilter = 'all' | ReviewState;
export const REVIEW_FILTERS: ReviewFilter[] = ['all', 'unreviewed', 'accepted', 'rejected'];

interface ReviewedStore {
  /** The workspace the ids belong to (another one starts with none reviewed). */
  workspace: string | null;
  ids: ReadonlySet<string>;
  mark(workspace: string, id: string): void;
}

/** Crops reviewed in this session, kept across screen changes. */
export const useReviewed = create<ReviewedStore>((set, get) => ({
  workspace: null,
  ids: new Set(),
  mark(workspace, id) {
    const { workspace: current, ids } = get();
    if (current === workspace && ids.has(id)) return;
    set({ workspace, ids: new Set(current === workspace ? [...ids, id] : [id]) });
  },
}));

export const reviewState = (crop: CropDto, reviewed: ReadonlySet<string>): ReviewState =>
  crop.rejected ? 'rejected' : reviewed.has(crop.cropId) ? 'accepted' : 'unreviewed';

/**
 * The crop `step` places after (1) or before (-1) `current` in `order` that passes `keep`; null when there is none.
 * `current` need not pass `keep` itself (it may just have been reviewed out of an "unreviewed" filter).
 */
export function stepQueue(order: readonly CropDto[], current: string | null, step: 1 | -1, keep: (c: CropDto) => boolean): CropDto | null {
  const at = current === null ? -1 : order.findIndex((c) => c.cropId === current);
  const start = at === -1 ? (step === 1 ? 0 : order.length - 1) : at + step;
  for (let i = start; i >= 0 && i < order.length; i += step) if (keep(order[i]!)) return order[i]!;
  return null;
}

/** True for key events typed into a field, which shortcuts must leave alone. */
const typing = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/**
 * Single-key shortcuts on the window ('a', 'j', 'ArrowRight', …), ignored while typing in a field or with a
 * modifier held.
 */
export function useShortcuts(keys: Record<string, () => void>): void {
  const latest = useRef(keys);
  latest.current = keys;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const run = latest.current[event.key.length === 1 ? event.key.toLowerCase() : event.key];
      if (!run) return;
      event.preventDefault();
      run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
