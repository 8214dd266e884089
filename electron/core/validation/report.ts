import type { AlignmentSection } from './alignment-section';
import type { InspectionSection } from './inspection-section';
import type { TextQuerySection } from './text-queries-section';
import type { DamageType } from '../domain/damage-types';
import type { SearchFilters } from '../retriever/filters';

/**
 * validation/report.json. Bump REPORT_VERSION when a field changes meaning or goes away; new fields may be
 * added without a bump. Shares are in [0, 1]; null where no query qualified.
 */
export const REPORT_VERSION = 3;

export interface ValidationReport {
  version: typeof REPORT_VERSION;
  generated_at: string;
  workspace: string;
  /** The index generation validated: every query is one of its rows, with its own stored vector. */
  index: { generation: number; model: string; dim: number; fusion: string | null; index_type: string; count: number };
  /** Why the index was older than its inputs when it was validated (workspace.json's phase states); null: up to date. */
  index_stale?: string | null;
  k: number;
  filter_checks: FilterChecks;
  /** domain.md's coverage figures over every indexed crop, unfiltered search. */
  coverage: { damaged: Coverage; clean: Coverage };
  /** P@k with the query's whole source photo left out (`exclude_source_image`), so near-duplicates do not count. */
  leakage_free: LeakageFree;
  /** Leakage-free figures per fusion strategy and query kind, recomputed from phase 3's tower vectors. */
  fusion: FusionComparison;
  /** Leakage-free neighbour scores of each query: its rank-1 and its rank-k neighbour. */
  scores: { top1: number[]; topk: number[] };
  examples: Example[];
  /** Region-level inspection of held-out photos (claim-grouped split), each figure beside its baseline. */
  inspection: InspectionSection;
  /** Inspector phrases scored over the index (share relevant in the top 5 beside its baselines); absent in older reports. */
  text_queries?: TextQuerySection;
  /** Unaligned towers: the text → image map scored on held-out claims (text queries ranking by pixels); absent in older reports. */
  text_alignment?: AlignmentSection;
  /** The filter checks passed (coverage and precision are figures to read, not pass/fail gates). */
  passed: boolean;
}

export interface FilterCheck {
  name: string;
  filters: SearchFilters;
  queries: number;
  /** Results that do not satisfy the filter (by the retriever's answer or by phase 3's record of the crop). */
  mismatches: number;
  /** Queries given fewer than k results although at least k crops pass the filter. */
  underfilled: number;
  passed: boolean;
}

export interface FilterViolation {
  check: string;
  query_crop_id: string;
  filters: SearchFilters;
  kind: 'mismatch' | 'underfilled';
  /** The offending result (mismatch only). */
  crop_id: string | null;
  detail: string;
}

export interface FilterChecks {
  /** Where the crops' true zone / damage come from: phase 3's metadata.json, or the index itself when it is gone. */
  reference: string;
  sampled_queries: number;
  checks: FilterCheck[];
  /** The first violations found (at most MAX_VIOLATIONS_REPORTED), each with its query and filter. */
  violations: FilterViolation[];
  violation_count: number;
  passed: boolean;
}

export interface Coverage {
  queries: number;
  /** Mean share of the top k (query's own crop included, as it usually ranks first) in the query's class. */
  with_self: number | null;
  /** The same over the top k after the query's own crop. */
  without_self: number | null;
  threshold: number;
  /** Judged without the query's own crop (with it the figure is inflated by one hit in k). */
  passed: boolean | null;
}

export interface Precision {
  queries: number;
  precision: number | null;
}

export interface LeakageFree {
  /** A result counts when its has_damage equals the query's. */
  has_damage: Precision;
  /** Damaged queries; a result counts when it shares a damage type with the query. */
  damage_type: Precision;
  /** Queries with a known zone; a result counts when its zone is the query's. */
  zone: Precision;
  /** damage_type precision split by each of the query's types (a query with two types counts in both). */
  per_type: ({ type: DamageType } & Precision)[];
}

/** The leakage-free figures of one query kind under one fusion strategy. */
export type QueryFigures = LeakageFree;

export interface FusionRow {
  strategy: 'average' | 'weighted' | 'concat';
  /** Image and text weights (average uses 0.5 / 0.5 whatever they say). */
  alpha: number;
  beta: number;
  /** Fused size; null when the strategy is unavailable for this model. */
  dim: number | null;
  count: number;
  /** This strategy and its weights built the live index (checked on sampled stored vectors). */
  indexed: boolean;
  /** Why the model cannot use this strategy (e.g. its towers are not aligned); null when it can. */
  unavailable: string | null;
  /**
   * crop: the crop's own fused vector (image + its context text; the text names zone and damage, so these
   * figures carry label leakage); photo: the image tower alone, as an inspector's dropped photo is queried;
   * text: the context alone, as a typed query (crops with text only).
   */
  queries: { crop: QueryFigures; photo: QueryFigures; text: QueryFigures } | null;
}

export interface FusionComparison {
  /** The phase 3 folder whose tower vectors were used; null when it has none. */
  source: string | null;
  /** Why there are no rows, when there are none. */
  note: string | null;
  rows: FusionRow[];
}

export interface ExampleCrop {
  crop_id: string;
  crop_path: string;
  zone: string | null;
  has_damage: boolean;
  damage_types: DamageType[];
}

export interface Example {
  query: ExampleCrop;
  /** Leakage-free top k. */
  results: (ExampleCrop & { rank: number; score: number })[];
}
