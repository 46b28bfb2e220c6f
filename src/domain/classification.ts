import type { Lang } from './message.js';

export interface CategoryMatch {
  readonly name: string;
  /** Confidence in [0,1]. */
  readonly score: number;
  /** The matched terms / phrases (as written in the config, or the learned features) that decided. */
  readonly terms: readonly string[];
}

/** Whom a message is about ("Is it about us?") and the words (or the channel) that decided. */
export interface TargetDecision {
  /** `us`: our service; `other`: another service or thing (not our complaint); `unknown`: cannot tell. */
  readonly about: 'us' | 'other' | 'unknown';
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
  /** Whom the message is about, when the keyword config has a `target` section. A complaint about another service is not a complaint. */
  readonly target?: TargetDecision;
  /** Version of the model that decided (hash of the keyword config and the learned layer), when known. */
  readonly modelVersion?: string;
}
