import type { Lang } from './message.js';

export interface CategoryMatch {
  readonly name: string;
  /** Confidence in [0,1]. */
  readonly score: number;
  /** The matched terms / phrases (as written in the config, or the learned features) that decided. */
  readonly terms: readonly string[];
}

/** Output of the pure classifier: text in, this out. */
export interface Classification {
  readonly complaint: boolean;
  /** Complaint confidence in [0,1]. */
  readonly score: number;
  /** Matched categories, best first. Empty when nothing matched. */
  readonly categories: readonly CategoryMatch[];
  /** Detected (or given) language. `null` when neither en nor ru could be told. */
  readonly lang: Lang | null;
}
